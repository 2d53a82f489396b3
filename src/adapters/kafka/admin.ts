import type { Admin, ITopicConfig, Kafka } from 'kafkajs';
import type { KafkaConfig } from '../../config/config.ts';
import { RecError } from '../../errors.ts';

/** The admin calls topic creation needs. */
export type TopicAdmin = Pick<Admin, 'connect' | 'disconnect' | 'listTopics' | 'createTopics'>;

/**
 * Creates the engine's topics when missing (idempotent). An existing topic with fewer partitions is
 * reported, not altered: repartitioning moves keys between partitions and must be a deliberate step.
 * Retried like any admin call: right after creation a broker of a cluster may not know the topic yet
 * (UNKNOWN_TOPIC_OR_PARTITION while kafkajs waits for leaders), and processes starting together race
 * to create the same topics; a later attempt finds them and skips them.
 */
export async function ensureTopics(kafka: { admin(): TopicAdmin }, config: KafkaConfig): Promise<{ created: string[] }> {
  const wanted = [config.eventsTopic, config.deadLetterTopic, config.itemUpdatesTopic, config.commandsTopic, config.rulesTopic, config.deltasTopic];
  let created: string[] | null = null;
  await withAdmin(kafka, `create topics on ${config.brokers.join(',')}`, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic));
    // The first attempt's view: a retry may find topics this process created a moment before.
    created ??= missing;
    if (missing.length === 0) return;
    await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => topicSpec(topic, config)) });
  });
  return { created: created ?? [] };
}

function topicSpec(topic: string, config: KafkaConfig): ITopicConfig {
  return {
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
  };
}

/** Tries an admin call up to this many times while the broker answers with a retriable error. */
const ADMIN_ATTEMPTS = 10;

/**
 * Runs `call` on a connected admin client, again after a retriable error: right after a topic is
 * created, or while a broker of a cluster is down, partitions may have no leader for a few seconds
 * (NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE), and kafkajs gives up on those sooner.
 */
async function withAdmin<T, A extends Pick<Admin, 'connect' | 'disconnect'> = Admin>(kafka: { admin(): A }, what: string, call: (admin: A) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call(admin);
      } catch (error) {
        const retriable = typeof error === 'object' && error !== null && 'retriable' in error && error.retriable === true;
        if (!retriable || attempt >= ADMIN_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
  } catch (cause) {
    throw new RecError('REC_KAFKA', `cannot ${what}`, { retriable: true, cause });
  } finally {
    await admin.disconnect();
  }
}

/** The partition numbers of a topic (from its metadata: they need no leader). */
export function partitionsOf(kafka: Kafka, topic: string): Promise<number[]> {
  return withAdmin(kafka, `read the partitions of ${topic}`, async (admin) => {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    return (metadata.topics[0]?.partitions ?? []).map((entry) => entry.partitionId).sort((a, b) => a - b);
  });
}

/** The end (next offset to be written) of each partition of a topic. */
export function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  return withAdmin(kafka, `read the end offsets of ${topic}`, async (admin) => new Map((await admin.fetchTopicOffsets(topic)).map((entry) => [entry.partition, BigInt(entry.high)])));
}

/** The group's committed offset of each partition of `topic` (absent: none committed). */
export function committedOffsets(kafka: Kafka, groupId: string, topic: string): Promise<Map<number, bigint>> {
  return withAdmin(kafka, `read the committed offsets of ${groupId} on ${topic}`, async (admin) => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets?.partitions ?? []).filter((entry) => /^\d+$/.test(entry.offset)).map((entry) => [entry.partition, BigInt(entry.offset)]));
  });
}
