import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/adapters/log/pino.ts';
import type { Config } from '../../src/config/config.ts';
import { startEngine, type RunningEngine } from '../../src/engine.ts';
import { cleanup } from './cleanup.ts';
import { testConfig } from './engine-config.ts';

/** An engine in its own namespace, with clients to look at what it wrote. */
export interface TestEngine {
  readonly config: Config;
  readonly engine: RunningEngine;
  readonly redis: Redis;
  readonly clickhouse: ClickHouseClient;
}

/** Starts an engine on a fresh namespace (`testConfig(label, overrides)`) plus Redis and ClickHouse clients. */
export async function startTestEngine(label: string, overrides: Record<string, string> = {}): Promise<TestEngine> {
  const { config } = testConfig(label, overrides);
  const redis = new Redis(config.redis.url);
  const clickhouse = createClient({ url: config.clickhouse.url });
  try {
    const engine = await startEngine(config, createLogger({ level: 'warn' }));
    return { config, engine, redis, clickhouse };
  } catch (error) {
    await redis.quit();
    await clickhouse.close();
    await cleanup(config);
    throw error;
  }
}

/** Stops the engine, closes the clients and drops the namespace; safe with a suite that never started. */
export async function stopTestEngine(running: Partial<TestEngine>): Promise<void> {
  await running.engine?.stop();
  await running.redis?.quit();
  await running.clickhouse?.close();
  if (running.config !== undefined) await cleanup(running.config);
}
