import { createClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import type { Config } from '../../src/config/config.ts';

/** Removes everything a test created under its unique names: topics, database, Redis keys. */
export async function cleanup(config: Config): Promise<void> {
  const kafka = new Kafka({ brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t === config.kafka.eventsTopic || t === config.kafka.deadLetterTopic);
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await admin.deleteGroups([config.kafka.groupId]).catch(() => undefined);
  await admin.disconnect();
  const clickhouse = createClient({ url: config.clickhouse.url });
  await clickhouse.command({ query: `DROP DATABASE IF EXISTS \`${config.clickhouse.database}\`` });
  await clickhouse.close();
  const redis = new Redis(config.redis.url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.redis.keyPrefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}
