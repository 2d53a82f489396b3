import type { FastifyInstance } from 'fastify';
import { createKafka } from '../../src/adapters/kafka/client.ts';
import { KafkaPublisher } from '../../src/adapters/kafka/producer.ts';
import { createLogger } from '../../src/adapters/log/pino.ts';
import { RedisFeedReader } from '../../src/adapters/redis/feed-reader.ts';
import { buildApi } from '../../src/api/server.ts';
import type { Config } from '../../src/config/config.ts';
import { checkEvent } from '../../src/domain/event-validator.ts';
import { startEngine, type RunningEngine } from '../../src/engine.ts';
import { cleanup } from './cleanup.ts';
import { testConfig } from './engine-config.ts';

/** An engine and the Feed API in front of it (injected requests), on a fresh namespace. */
export interface EngineWithApi {
  readonly config: Config;
  readonly engine: RunningEngine;
  readonly app: FastifyInstance;
  readonly publisher: KafkaPublisher;
  stop(): Promise<void>;
}

/** Starts both with `key` as the full API key; the API may forget users (commands topic). */
export async function startEngineWithApi(label: string, key: string, overrides: Record<string, string> = {}): Promise<EngineWithApi> {
  const config = testConfig(label, { STREAMREC_API_KEYS: key, ...overrides }).config;
  const engine = await startEngine(config, createLogger({ level: 'warn' }));
  const reader = new RedisFeedReader({ url: config.redis.url, keyPrefix: config.redis.keyPrefix, timeoutMs: config.api.readTimeoutMs });
  const publisher = new KafkaPublisher(createKafka(config.kafka, createLogger({ level: 'warn' }), `-${label}`));
  const app = await buildApi({ config: config.api, eventsTopic: config.kafka.eventsTopic, commandsTopic: config.kafka.commandsTopic, feeds: reader, publisher, checkEvent });
  return {
    config,
    engine,
    app,
    publisher,
    stop: async () => {
      await app.close();
      await reader.close();
      await publisher.close();
      await engine.stop();
      await cleanup(config);
    },
  };
}
