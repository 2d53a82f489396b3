-- One row per forget-user request an engine process carried out: the user's pseudonym, when it was
-- asked for and when the deletes were issued, and how many of the user's sessions were found.
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
