-- The engine's own figures per wall-clock minute and instance (long format: one row per metric).
-- The current minute is rewritten every flush; ReplacingMergeTree keeps the newest (read with FINAL).
-- In a cluster (clickhouse.cluster): a minute written again lands on the shard of its first copy.
-- shard key: cityHash64(instance, metric)
CREATE TABLE IF NOT EXISTS {{db}}.engine_metrics
(
    minute DateTime,
    instance String,
    metric String,
    value Float64,
    written_ms UInt64
)
ENGINE = ReplacingMergeTree(written_ms)
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, instance, metric)
