CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.events_per_minute_mv TO {{db}}.events_per_minute AS
SELECT toStartOfMinute(toDateTime(intDiv(ts, 1000))) AS minute, type, toUInt64(count()) AS events
FROM {{db}}.events
GROUP BY minute, type
