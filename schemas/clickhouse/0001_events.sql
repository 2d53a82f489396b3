-- Every valid behaviour event. ReplacingMergeTree on the sorting key (event_date, event_id) makes
-- redelivered events collapse into one row; analysts count with FINAL (or uniqExact(event_id)).
-- Runs on ClickHouse 18.16 and current releases: no LowCardinality, no DateTime64.
-- In a cluster (clickhouse.cluster): an event redelivered with the same event_id (and ts, hence event_date) lands on the shard of its first copy.
-- shard key: cityHash64(event_id)
CREATE TABLE IF NOT EXISTS {{db}}.events
(
    event_id String,
    type String,
    ts UInt64,
    session_id String,
    user_id String,
    item_id String,
    query String,
    category_id String,
    price Nullable(Float64),
    quantity Nullable(UInt32),
    rating Nullable(UInt8),
    recommendation_id String,
    device String,
    tenant String,
    late UInt8,
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_ms UInt64,
    event_time DateTime MATERIALIZED toDateTime(intDiv(ts, 1000)),
    event_date Date MATERIALIZED toDate(toDateTime(intDiv(ts, 1000)))
)
ENGINE = ReplacingMergeTree(ingested_ms)
PARTITION BY toYYYYMM(event_date)
ORDER BY (event_date, event_id)
