-- Records that were not valid events, with the reason and the (truncated) raw payload.
-- Keyed by their Kafka position, so a redelivered record stays one row.
-- In a cluster (clickhouse.cluster): the dedup key itself.
-- shard key: cityHash64(topic, kafka_partition, kafka_offset)
CREATE TABLE IF NOT EXISTS {{db}}.dead_letters
(
    topic String,
    kafka_partition UInt32,
    kafka_offset UInt64,
    reason String,
    message String,
    payload String,
    payload_bytes UInt64,
    record_key String,
    received_ms UInt64,
    received_time DateTime MATERIALIZED toDateTime(intDiv(received_ms, 1000))
)
ENGINE = ReplacingMergeTree(received_ms)
PARTITION BY tuple()
ORDER BY (topic, kafka_partition, kafka_offset)
