-- Events per event-time minute and type. A materialized view sees every insert, so a redelivered
-- batch counts twice here; exact counts come from `events FINAL`. Sum the `events` column, grouped.
-- In a cluster (clickhouse.cluster): filled on each node by a materialized view; readers sum over shards.
-- shard key: rand()
CREATE TABLE IF NOT EXISTS {{db}}.events_per_minute
(
    minute DateTime,
    type String,
    events UInt64
)
ENGINE = SummingMergeTree((events))
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, type)
