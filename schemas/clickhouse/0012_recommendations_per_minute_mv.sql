CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.recommendations_per_minute_mv TO {{db}}.recommendations_per_minute AS
SELECT
    toStartOfMinute(toDateTime(intDiv(generated_ms, 1000))) AS minute,
    owner_kind,
    variant,
    model_version,
    toUInt64(count()) AS lists,
    toUInt64(sum(length(items))) AS items
FROM {{db}}.recommendations
GROUP BY minute, owner_kind, variant, model_version
