-- Every list written to Redis: who it was for, what it held and from which sources. The id is
-- derived from (feed, partition, offset), so a redelivered batch replaces its rows instead of adding.
-- In a cluster (clickhouse.cluster): a list written again lands on the shard of its first copy.
-- shard key: cityHash64(recommendation_id)
CREATE TABLE IF NOT EXISTS {{db}}.recommendations
(
    recommendation_id String,
    feed_id String,
    owner_kind String,
    owner_id String,
    items Array(String),
    scores Array(Float32),
    sources Array(String),
    model_version String,
    event_ts UInt64,
    generated_ms UInt64,
    ingested_ms UInt64,
    generated_time DateTime MATERIALIZED toDateTime(intDiv(generated_ms, 1000)),
    event_date Date MATERIALIZED toDate(toDateTime(intDiv(event_ts, 1000)))
)
ENGINE = ReplacingMergeTree(generated_ms)
PARTITION BY toYYYYMM(event_date)
ORDER BY (event_date, recommendation_id)
