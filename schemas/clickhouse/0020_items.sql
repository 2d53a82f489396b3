-- The catalogue as the item-updates topic described it: one row per update taken. ReplacingMergeTree
-- on item_id with the update time as version: `FINAL` gives each item's newest description. The vector
-- itself stays in the engine (only its length is kept here).
-- In a cluster (clickhouse.cluster): every version of an item on one shard, so FINAL keeps the newest.
-- shard key: cityHash64(item_id)
CREATE TABLE IF NOT EXISTS {{db}}.items
(
    item_id String,
    ts UInt64,
    category_id String,
    brand String,
    price Nullable(Float64),
    stock Nullable(UInt64),
    text String,
    vector_dims UInt16,
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_ms UInt64
)
ENGINE = ReplacingMergeTree(ts)
ORDER BY item_id
