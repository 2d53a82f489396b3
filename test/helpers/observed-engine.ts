import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { createKafka } from '../../src/adapters/kafka/client.ts';
import { KafkaPublisher } from '../../src/adapters/kafka/producer.ts';
import { createLogger } from '../../src/adapters/log/pino.ts';
import { RedisStateStore } from '../../src/adapters/redis/state-store.ts';
import type { Config } from '../../src/config/config.ts';
import type { BehaviourEvent } from '../../src/domain/event.ts';
import { startEngine } from '../../src/engine.ts';
import { pickLiveSessions, replayLive, type LiveReplayResult } from '../../src/replay/live-replay.ts';
import { runReplay, type ReplaySummary } from '../../src/replay/run.ts';
import { cleanup } from './cleanup.ts';
import { testConfig } from './engine-config.ts';
import { waitFor } from './wait-for.ts';
import { freePort } from './free-port.ts';

export const DIGINETICA_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'diginetica');

export interface ObservedEngine {
  readonly config: Config;
  readonly database: string;
  /** http://127.0.0.1:PORT/metrics */
  readonly metricsUrl: string;
  /** 127.0.0.1:PORT, for a Prometheus scrape config. */
  readonly metricsTarget: string;
  readonly replay: ReplaySummary;
  readonly live: LiveReplayResult;
  /** Runs SQL with the test database as the default database. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Stops the engine (its last per-minute figures flushed), keeping what it stored; idempotent. */
  halt(): Promise<void>;
  /** Halts, then removes the test's topics, database and keys. */
  stop(): Promise<void>;
}


/**
 * A real engine (with the online model) on the local stack, fed the way production is: a backlog of
 * real Diginetica views and purchases (with some broken records) through Kafka, then real sessions
 * replayed live against the served lists, so ClickHouse holds events, served lists, attributed
 * clicks and purchases, dead letters and the engine's per-minute figures.
 */
export async function startObservedEngine(options: { backlog?: number; liveSessions?: number; env?: Record<string, string> } = {}): Promise<ObservedEngine> {
  const port = await freePort();
  const { config, name } = testConfig('obs', {
    STREAMREC_METRICS_PORT: String(port),
    STREAMREC_ENGINE_STATS_FLUSH_MS: '1000',
    STREAMREC_ENGINE_INSTANCE: 'test-engine',
    STREAMREC_MODEL_ENABLED: 'true',
    STREAMREC_MODEL_MAX_ITEMS: '20000',
    ...options.env,
  });
  const engine = await startEngine(config, createLogger({ level: 'warn' }));
  const clickhouse = createClient({ url: config.clickhouse.url, database: name });
  const query = async (sql: string): Promise<Record<string, unknown>[]> => (await clickhouse.query({ query: sql, format: 'JSONEachRow' })).json<Record<string, unknown>>();
  const count = async (sql: string): Promise<number> => Number((await query(sql))[0]?.['n'] ?? 0);
  const redis = new RedisStateStore(config.redis);
  const publisher = new KafkaPublisher(createKafka(config.kafka, createLogger({ level: 'warn' }), '-live'));
  let halted: Promise<void> | undefined;
  const halt = (): Promise<void> => (halted ??= engine.stop());
  const stop = async (): Promise<void> => {
    await halt();
    await Promise.allSettled([publisher.close(), redis.close(), clickhouse.close()]);
    await cleanup(config);
  };
  try {
    let held = new Map<string, BehaviourEvent[]>();
    const replay = await runReplay({
      dataDir: DIGINETICA_DIR,
      sources: ['views', 'purchases'],
      limit: options.backlog ?? 6000,
      invalidEvery: 250,
      config,
      holdOut: (loaded) => {
        held = pickLiveSessions(loaded.events, options.liveSessions ?? 20);
        return new Set(held.keys());
      },
    });
    const stored = async (): Promise<number> => (await count('SELECT count() AS n FROM events')) + (await count('SELECT count() AS n FROM dead_letters'));
    await waitFor(stored, (n) => n >= replay.produced.total, { timeoutMs: 60_000, what: 'backlog stored' });
    const live = await replayLive(
      held,
      {
        publish: (events) => publisher.publish(config.kafka.eventsTopic, events.map((e) => ({ key: e.session_id, value: JSON.stringify(e) }))),
        readFeed: (sessionId) => redis.readFeed(`s:${sessionId}`),
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      },
      { feedWaitMs: 3000 },
    );
    const expected = replay.produced.total + live.events + live.clicks;
    await waitFor(stored, (n) => n >= expected, { timeoutMs: 60_000, what: 'live events stored' });
    await waitFor(() => count('SELECT sum(predictions) AS n FROM model_evaluation'), (n) => n > 0, { timeoutMs: 30_000, what: 'model_evaluation flushed' });
    return { config, database: name, metricsUrl: `http://127.0.0.1:${port}/metrics`, metricsTarget: `127.0.0.1:${port}`, replay, live, query, halt, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
