-- Lists served per wall-clock minute, by owner kind, variant and model version.
-- In a cluster (clickhouse.cluster): filled on each node by a materialized view; readers sum over shards.
-- shard key: rand()
CREATE TABLE IF NOT EXISTS {{db}}.recommendations_per_minute
(
    minute DateTime,
    owner_kind String,
    variant String,
    model_version String,
    lists UInt64,
    items UInt64
)
ENGINE = SummingMergeTree((lists, items))
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, owner_kind, variant, model_version)
