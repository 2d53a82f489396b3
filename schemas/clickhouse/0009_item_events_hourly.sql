-- Per item and hour (event time): what trended in which category. Same double-count caveat as
-- events_per_minute; sum the counters, grouped.
-- In a cluster (clickhouse.cluster): filled on each node by a materialized view; readers sum over shards.
-- shard key: rand()
CREATE TABLE IF NOT EXISTS {{db}}.item_events_hourly
(
    hour DateTime,
    category_id String,
    item_id String,
    views UInt64,
    clicks UInt64,
    carts UInt64,
    purchases UInt64
)
ENGINE = SummingMergeTree((views, clicks, carts, purchases))
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, category_id, item_id)
