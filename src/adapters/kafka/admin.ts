import type { Kafka } from 'kafkajs';
import type { KafkaConfig } from '../../config/config.ts';
import { RecError } from '../../errors.ts';

/**
 * Creates the engine's topics when missing (idempotent). An existing topic with fewer partitions is
 * reported, not altered: repartitioning moves keys between partitions and must be a deliberate step.
 */
export async function ensureTopics(kafka: Kafka, config: KafkaConfig): Promise<{ created: string[] }> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const wanted = [config.eventsTopic, config.deadLetterTopic, config.itemUpdatesTopic, config.commandsTopic, config.rulesTopic, config.deltasTopic];
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: config.partitions,
          replicationFactor: config.replicationFactor,
          // Only an item's latest update matters: compaction keeps the topic the size of the catalogue.
          // A user's latest command is the one that counts.
          ...(topic === config.itemUpdatesTopic || topic === config.commandsTopic || topic === config.rulesTopic ? { configEntries: [{ name: 'cleanup.policy', value: 'compact' }] } : {}),
          // Deltas add up, so none may go before every process (and every checkpoint) has it: compaction
          // (one record per process) only reaches records older than `deltaRetentionMs`.
          ...(topic === config.deltasTopic
            ? { configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'min.compaction.lag.ms', value: String(config.deltaRetentionMs) }, { name: 'max.message.bytes', value: String(4 * 1024 * 1024) }] }
            : {}),
        })),
      });
    }
    return { created: missing };
  } catch (cause) {
    throw new RecError('REC_KAFKA', `cannot create topics on ${config.brokers.join(',')}`, { retriable: true, cause });
  } finally {
    await admin.disconnect();
  }
}

/** The partition numbers of a topic. */
export async function partitionsOf(kafka: Kafka, topic: string): Promise<number[]> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    return (await admin.fetchTopicOffsets(topic)).map((entry) => entry.partition).sort((a, b) => a - b);
  } catch (cause) {
    throw new RecError('REC_KAFKA', `cannot read the partitions of ${topic}`, { retriable: true, cause });
  } finally {
    await admin.disconnect();
  }
}

/** The end (next offset to be written) of each partition of a topic. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    return new Map((await admin.fetchTopicOffsets(topic)).map((entry) => [entry.partition, BigInt(entry.high)]));
  } catch (cause) {
    throw new RecError('REC_KAFKA', `cannot read the end offsets of ${topic}`, { retriable: true, cause });
  } finally {
    await admin.disconnect();
  }
}
