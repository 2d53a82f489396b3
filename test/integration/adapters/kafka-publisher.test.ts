import type { Admin, Kafka } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../../src/adapters/kafka/client.ts';
import { KafkaPublisher } from '../../../src/adapters/kafka/producer.ts';
import { createLogger } from '../../../src/adapters/log/pino.ts';
import type { Config } from '../../../src/config/config.ts';
import { RecError } from '../../../src/errors.ts';
import { cleanup } from '../../helpers/cleanup.ts';
import { testConfig } from '../../helpers/engine-config.ts';

const logger = createLogger({ level: 'fatal' });

describe('KafkaPublisher on the real broker', () => {
  const configs: Config[] = [];
  const admins: Admin[] = [];
  afterAll(async () => {
    for (const admin of admins) await admin.disconnect();
    for (const config of configs) await cleanup(config);
  });

  /** A namespace whose one-partition `topic` takes record batches of at most `maxMessageBytes`. */
  async function topicWithLimit(label: string, pick: (config: Config) => string, maxMessageBytes: number): Promise<{ kafka: Kafka; admin: Admin; topic: string }> {
    const { config } = testConfig(label, { STREAMREC_KAFKA_PARTITIONS: '1' });
    configs.push(config);
    const kafka = createKafka(config.kafka, logger);
    const admin = kafka.admin();
    admins.push(admin);
    await admin.connect();
    const topic = pick(config);
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: String(maxMessageBytes) }] }] });
    return { kafka, admin, topic };
  }

  it('reports records the topic refuses as too large as not retriable, and still publishes afterwards', async () => {
    const { kafka, topic } = await topicWithLimit('publisher_large', (config) => config.kafka.eventsTopic, 2048);
    const publisher = new KafkaPublisher(kafka);
    try {
      const error: unknown = await publisher.publish(topic, [{ key: 'k', value: 'x'.repeat(8192) }]).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(RecError);
      expect(error instanceof RecError && error.retriable).toBe(false);
      expect(String(error instanceof Error ? error.message : error)).toContain('MESSAGE_TOO_LARGE');
      await publisher.publish(topic, [{ key: 'k', value: 'small' }]);
    } finally {
      await publisher.close();
    }
  });

  it('publishes a call larger than the broker takes in one request, every record once', async () => {
    // The broker default (1 MiB), stated so the test does not depend on it.
    const { kafka, admin, topic } = await topicWithLimit('publisher_burst', (config) => config.kafka.deadLetterTopic, 1024 * 1024);
    const publisher = new KafkaPublisher(kafka);
    try {
      // 800 dead letters of 4 KiB of payload with their headers: ~3.5 MB, a burst of invalid events.
      const letters = Array.from({ length: 800 }, (_, i) => ({ key: `s-${i}`, value: 'x'.repeat(4096), headers: { reason: 'invalid_json', message: 'Unexpected token'.repeat(8) } }));
      await publisher.publish(topic, letters);
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets.map((o) => Number(o.high) - Number(o.low))).toEqual([800]);
    } finally {
      await publisher.close();
    }
  });
});
