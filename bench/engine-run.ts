import { createClient } from '@clickhouse/client';
import { createLogger } from '../src/adapters/log/pino.ts';
import { noopMetrics } from '../src/adapters/memory/metrics.ts';
import type { Config } from '../src/config/config.ts';
import { loadConfig } from '../src/config/load.ts';
import { startEngine, type RunningEngine } from '../src/engine.ts';
import type { Metrics } from '../src/ports/metrics.ts';
import { LatencyHistogram } from './histogram.ts';

/** Records what the benchmark reads from the engine: the first consumption and exact freshness. */
class BenchProbe {
  firstConsumedAt = 0;
  freshness: LatencyHistogram | null = null;
  /** Seconds spent in each pipeline stage, and batches seen. */
  readonly stages = new Map<string, number>();
  batches = 0;
  readonly metrics: Metrics = {
    ...noopMetrics(),
    stageSeconds: (stage, seconds) => void this.stages.set(stage, (this.stages.get(stage) ?? 0) + seconds),
    batchSize: () => void (this.batches += 1),
    eventsConsumed: () => {
      if (this.firstConsumedAt === 0) this.firstConsumedAt = performance.now();
    },
    freshness: (kind, seconds) => {
      if (kind === 'event_time') this.freshness?.record(seconds);
    },
  };
}

export interface BenchEngine {
  readonly engine: RunningEngine;
  readonly probe: BenchProbe;
  /** Rows in events + dead_letters. */
  stored(): Promise<number>;
  stop(): Promise<void>;
}

export async function startBenchEngine(config: Config): Promise<BenchEngine> {
  const probe = new BenchProbe();
  const engine = await startEngine(config, createLogger({ level: 'warn' }), { metrics: probe.metrics });
  // The poll shares the event loop with a busy engine: stale keep-alive sockets are dropped, not reused.
  const clickhouse = createClient({ url: config.clickhouse.url, database: config.clickhouse.database, username: config.clickhouse.username, password: config.clickhouse.password, keep_alive: { eagerly_destroy_stale_sockets: true } });
  const stored = async (): Promise<number> => {
    const rows = await (await clickhouse.query({ query: 'SELECT (SELECT count() FROM events) + (SELECT count() FROM dead_letters) AS n', format: 'JSONEachRow' })).json<{ n: string }>();
    return Number(rows[0]?.n ?? 0);
  };
  return {
    engine,
    probe,
    stored,
    stop: async () => {
      await engine.stop();
      await clickhouse.close();
    },
  };
}

/** Polls until `target` rows are stored; returns the time it happened (performance.now()). */
export async function untilStored(bench: BenchEngine, target: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    // A busy engine delays this process's event loop; a stale keep-alive socket then fails one poll.
    const stored = await bench.stored().catch(() => -1);
    if (stored >= target) return performance.now();
    if (performance.now() > deadline) throw new Error(`engine stored fewer than ${target} rows within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The engine's configuration for one bench run: its own group, database and key prefix per label and stamp. */
export function benchConfig(label: string, topic: string, stamp: string, model: boolean): Config {
  return loadConfig({
    ...process.env,
    STREAMREC_KAFKA_EVENTS_TOPIC: topic,
    STREAMREC_KAFKA_DEAD_LETTER_TOPIC: `${topic}.dlq`,
    STREAMREC_KAFKA_ITEM_UPDATES_TOPIC: `${topic}.items`,
    STREAMREC_KAFKA_GROUP_ID: `bench-${label}-${stamp}`,
    STREAMREC_CLICKHOUSE_DATABASE: `streamrec_bench_${label}_${stamp}`,
    STREAMREC_REDIS_KEY_PREFIX: `bench:${label}:`,
    STREAMREC_METRICS_PORT: '0',
    STREAMREC_MODEL_ENABLED: String(model),
    STREAMREC_LOG_LEVEL: 'warn',
  });
}
