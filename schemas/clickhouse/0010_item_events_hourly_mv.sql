CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.item_events_hourly_mv TO {{db}}.item_events_hourly AS
SELECT
    toStartOfHour(toDateTime(intDiv(ts, 1000))) AS hour,
    category_id,
    item_id,
    toUInt64(countIf(type = 'view')) AS views,
    toUInt64(countIf(type = 'click')) AS clicks,
    toUInt64(countIf(type = 'add_to_cart')) AS carts,
    toUInt64(countIf(type = 'purchase')) AS purchases
FROM {{db}}.events
WHERE item_id != ''
GROUP BY hour, category_id, item_id
