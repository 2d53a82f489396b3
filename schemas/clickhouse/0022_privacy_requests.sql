-- One row per forget-user request an engine process carried out: the user's pseudonym, when it was
-- asked for and when the deletes were issued, and how many of the user's sessions were found.
-- In a cluster (clickhouse.cluster): a request recorded again lands on the shard of its first copy.
-- shard key: cityHash64(user_pseudonym)
CREATE TABLE IF NOT EXISTS {{db}}.privacy_requests
(
    user_pseudonym String,
    instance String,
    requested_ms UInt64,
    done_ms UInt64,
    sessions UInt32
)
ENGINE = ReplacingMergeTree(done_ms)
PARTITION BY tuple()
ORDER BY (user_pseudonym, instance, requested_ms)
