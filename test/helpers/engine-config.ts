import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/config.ts';
import { services, uniqueName, type Services } from './services.ts';

/** The STREAMREC_* settings that point an engine at the services under names of its own (topics, group, database, key prefix). */
export function namespaceEnv(name: string, s: Services): Record<string, string> {
  return {
    STREAMREC_KAFKA_BROKERS: s.kafkaBrokers.join(','),
    STREAMREC_REDIS_URL: s.redisUrl,
    STREAMREC_CLICKHOUSE_URL: s.clickhouseUrl,
    STREAMREC_KAFKA_EVENTS_TOPIC: `${name}.events`,
    STREAMREC_KAFKA_DEAD_LETTER_TOPIC: `${name}.dlq`,
    STREAMREC_KAFKA_ITEM_UPDATES_TOPIC: `${name}.items`,
    STREAMREC_KAFKA_COMMANDS_TOPIC: `${name}.commands`,
    STREAMREC_KAFKA_RULES_TOPIC: `${name}.rules`,
    STREAMREC_KAFKA_DELTAS_TOPIC: `${name}.deltas`,
    STREAMREC_KAFKA_GROUP_ID: name,
    STREAMREC_CLICKHOUSE_DATABASE: name,
    STREAMREC_CLICKHOUSE_BATCH_MAX_WAIT_MS: '100',
    STREAMREC_REDIS_KEY_PREFIX: `${name}:`,
  };
}

/** A validated config pointing at the real services, with names unique to one test. */
export function testConfig(label: string, overrides: Record<string, string> = {}): { config: Config; name: string; env: Record<string, string> } {
  const name = uniqueName(label);
  const env: Record<string, string> = {
    ...namespaceEnv(name, services()),
    STREAMREC_KAFKA_SESSION_TIMEOUT_MS: '10000',
    STREAMREC_METRICS_PORT: '0',
    STREAMREC_LOG_LEVEL: 'warn',
    ...overrides,
  };
  return { config: loadConfig(env), name, env };
}
