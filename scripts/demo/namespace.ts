import { createClient } from '@clickhouse/client';
import type { Redis } from 'ioredis';
import { connectRedis, isCluster } from '../../src/adapters/redis/connect.ts';
import { Kafka, logLevel } from 'kafkajs';
import { clickhouseNodeUrls } from '../../src/adapters/clickhouse/client.ts';
import { identifier } from '../../src/adapters/clickhouse/sql.ts';
import type { Config } from '../../src/config/config.ts';

/** The demo's own topics, group, database and key prefix, so it never touches a real deployment's. */
export const DEMO_ENV: Readonly<Record<string, string>> = {
  STREAMREC_KAFKA_EVENTS_TOPIC: 'streamrec.demo.events',
  STREAMREC_KAFKA_DEAD_LETTER_TOPIC: 'streamrec.demo.dead-letters',
  STREAMREC_KAFKA_ITEM_UPDATES_TOPIC: 'streamrec.demo.item-updates',
  STREAMREC_KAFKA_COMMANDS_TOPIC: 'streamrec.demo.commands',
  STREAMREC_KAFKA_RULES_TOPIC: 'streamrec.demo.rules',
  STREAMREC_KAFKA_DELTAS_TOPIC: 'streamrec.demo.deltas',
  STREAMREC_KAFKA_GROUP_ID: 'streamrec-demo',
  STREAMREC_KAFKA_SESSION_TIMEOUT_MS: '10000',
  STREAMREC_CLICKHOUSE_DATABASE: 'streamrec_demo',
  STREAMREC_REDIS_KEY_PREFIX: 'demo:',
};

/** Empties the demo namespace so every demo run starts clean and its counts can be checked exactly. */
export async function resetNamespace(config: Config): Promise<void> {
  const kafka = new Kafka({ brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const mine = [config.kafka.eventsTopic, config.kafka.deadLetterTopic, config.kafka.itemUpdatesTopic, config.kafka.commandsTopic, config.kafka.rulesTopic, config.kafka.deltasTopic];
    const topics = (await admin.listTopics()).filter((topic) => mine.includes(topic));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    await admin.deleteGroups([config.kafka.groupId]).catch(() => undefined);
    // Topic deletion is asynchronous in Kafka; wait until the names are free again.
    for (let i = 0; i < 100 && (await admin.listTopics()).some((topic) => mine.includes(topic)); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
  // On a cluster every node holds the database (its shard and the Distributed tables).
  for (const url of clickhouseNodeUrls(config.clickhouse)) {
    const clickhouse = createClient({ url, username: config.clickhouse.username, password: config.clickhouse.password });
    await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${identifier(config.clickhouse.database)}` });
    await clickhouse.close();
  }
  const redis = connectRedis(config.redis.url, config.redis.clusterNodes, { lazyConnect: false, commandTimeout: 10_000, maxRetriesPerRequest: 2, enableOfflineQueue: true, retryStrategy: (attempt) => Math.min(attempt * 200, 2000) });
  try {
    // A cluster is scanned node by node, and its keys deleted one by one (they live in different slots).
    const nodes: Redis[] = isCluster(redis) ? redis.nodes('master') : [redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${config.redis.keyPrefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await (isCluster(redis) ? Promise.all(keys.map((key) => redis.del(key))) : redis.del(...keys));
      } while (cursor !== '0');
    }
  } finally {
    await redis.quit();
  }
}
