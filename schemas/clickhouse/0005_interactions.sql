-- Clicks, add-to-carts and purchases that carry the recommendation_id of the list they came from:
-- the attribution analysts join to `recommendations` (CTR by source, conversion after a click).
-- Time columns are plain, filled by the view: ClickHouse 18.16 cannot push into MATERIALIZED ones.
-- In a cluster (clickhouse.cluster): as events: the materialized view fills each node from its own shard of events.
-- shard key: cityHash64(event_id)
CREATE TABLE IF NOT EXISTS {{db}}.interactions
(
    event_id String,
    type String,
    ts UInt64,
    session_id String,
    user_id String,
    item_id String,
    recommendation_id String,
    price Nullable(Float64),
    quantity Nullable(UInt32),
    ingested_ms UInt64,
    event_time DateTime,
    event_date Date
)
ENGINE = ReplacingMergeTree(ingested_ms)
PARTITION BY toYYYYMM(event_date)
ORDER BY (event_date, recommendation_id, event_id)
