-- Online (prequential) evaluation per wall-clock minute: every next-item event is scored against the
-- list its session was served just before, then learned from. HR@20 = hits_at_20 / predictions.
-- In a cluster (clickhouse.cluster): a minute written again lands on the shard of its first copy.
-- shard key: cityHash64(instance)
CREATE TABLE IF NOT EXISTS {{db}}.model_evaluation
(
    minute DateTime,
    instance String,
    model_version String,
    predictions UInt64,
    hits_at_20 UInt64,
    reciprocal_rank_sum Float64,
    model_updates UInt64,
    model_loss_sum Float64,
    model_loss_count UInt64,
    written_ms UInt64
)
ENGINE = ReplacingMergeTree(written_ms)
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, instance)
