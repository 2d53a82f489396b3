import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import type { Sample } from '../../../src/adapters/metrics/prom-text.ts';
import { cleanup } from '../../helpers/cleanup.ts';
import { freePort } from '../../helpers/free-port.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import { ClickHouseTally, type StoredCounts } from './counts.ts';
import { EngineChild } from './engine-child.ts';
import { faultNamespace, type FaultNamespace } from './namespace.ts';
import { expectComplete, replayDiginetica, sleep, waitDrained, type Produced } from './scenario.ts';

/** Sessions open at once in the replayed stream: at 300 events/s each gets a step every ~2 s. */
const CONCURRENT_SESSIONS = 600;

/** What one run over the replay measured. */
export interface RunFigures {
  readonly processes: number;
  readonly produced: Produced;
  readonly counts: StoredCounts;
  /** Prequential HR@20 of the served lists (model_evaluation, every process summed), percent. */
  readonly hr20: number;
  readonly predictions: number;
  /** Sessions in ClickHouse, and those whose Redis features show their last stored event. */
  readonly sessions: number;
  readonly sessionsUpToDate: number;
  /** Session id → event_count of its Redis features (to compare runs). */
  readonly eventCounts: ReadonlyMap<string, number>;
  readonly drainMs: number;
  /** State-delta staleness over the surviving processes (histogram quantiles, seconds); null with one process. */
  readonly staleness: { readonly p50: number; readonly p99: number; readonly applied: number } | null;
  /** Kafka consumer restarts over the surviving processes, by reason (crash: kafkajs restarted it; stalled: the engine replaced it). */
  readonly consumerRestarts: Readonly<Record<string, number>>;
  /** How long partitions went without a record received (see `receiptPauses`). */
  readonly pauses: Pauses;
}

/** Per partition, the longest time between two consecutive records' receipt, in seconds. */
export interface Pauses {
  /** The longest of any partition, and the median partition's longest. */
  readonly longest: number;
  readonly median: number;
  /** Partition-seconds spent in pauses over 2 s (a 300 records/s stream gives each of 12 partitions a record every 40 ms). */
  readonly over2s: number;
}

/**
 * Pauses in the receipt of each partition's records (by offset), from the receipt times stored with
 * the events: at a steady replay rate, a long one is a partition nobody fetched (a stall, a rebalance).
 */
export function receiptPauses(rows: readonly { readonly partition: number; readonly offset: number; readonly received: number }[]): Pauses {
  const byPartition = new Map<number, { offset: number; received: number }[]>();
  for (const row of rows) {
    const list = byPartition.get(row.partition) ?? [];
    list.push(row);
    byPartition.set(row.partition, list);
  }
  const longest: number[] = [];
  let over2s = 0;
  for (const list of byPartition.values()) {
    list.sort((a, b) => a.offset - b.offset);
    let most = 0;
    for (let i = 1; i < list.length; i += 1) {
      const gap = Math.max(0, (list[i]?.received ?? 0) - (list[i - 1]?.received ?? 0)) / 1000;
      most = Math.max(most, gap);
      if (gap > 2) over2s += gap;
    }
    longest.push(most);
  }
  longest.sort((a, b) => a - b);
  const round = (x: number): number => Number(x.toFixed(2));
  return { longest: round(longest.at(-1) ?? 0), median: round(longest[Math.floor(longest.length / 2)] ?? 0), over2s: round(over2s) };
}

export interface RunOptions {
  readonly label: string;
  readonly processes: number;
  readonly events: number;
  readonly rate: number;
  readonly env?: Readonly<Record<string, string>>;
  /** Another Kafka cluster than the stack's broker (bootstrap addresses). */
  readonly kafkaBrokers?: readonly string[];
  /** Called once this share of the records is stored (e.g. to kill a process or a broker). */
  /** `group`: the engines' consumer group id. */
  readonly midway?: { readonly at: number; readonly act: (engines: readonly EngineChild[], group: string) => Promise<void> };
  /** The midway act kills a broker while the replay produces (see expectComplete). */
  readonly producerRetried?: boolean;
  readonly teardown: (stop: () => Promise<void>) => void;
}

/** Quantile of a Prometheus histogram summed over processes, by linear interpolation inside the bucket. */
export function histogramQuantile(samples: readonly Sample[], name: string, q: number): number {
  const buckets = new Map<number, number>();
  for (const sample of samples) {
    if (sample.name !== `${name}_bucket`) continue;
    const le = sample.labels['le'] === '+Inf' ? Number.POSITIVE_INFINITY : Number(sample.labels['le']);
    buckets.set(le, (buckets.get(le) ?? 0) + sample.value);
  }
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return Number.NaN;
  let lower = 0;
  let below = 0;
  for (const [le, count] of sorted) {
    if (count >= q * total) {
      if (!Number.isFinite(le)) return lower;
      return lower + ((le - lower) * (q * total - below)) / Math.max(1, count - below);
    }
    lower = le;
    below = count;
  }
  return lower;
}

/**
 * Replays the same Diginetica sessions (SR-GNN training sessions as a live stream of concurrent
 * sessions, so most steps come after the session's previous list was served and can be scored)
 * through `processes` engines in one consumer group (12 partitions, one checkpoint folder), optionally
 * breaking something midway, and measures what the issue asks: every event once in ClickHouse, every
 * session's features current, prequential HR@20, state-delta staleness.
 */
export async function runScaleOut(options: RunOptions): Promise<RunFigures> {
  const dir = mkdtempSync(join(tmpdir(), `streamrec-${options.label}-`));
  const ns: FaultNamespace = await faultNamespace(options.label, {
    STREAMREC_KAFKA_PARTITIONS: '12',
    STREAMREC_ENGINE_CHECKPOINT_DIR: dir,
    STREAMREC_ENGINE_CHECKPOINT_INTERVAL_MS: '2000',
    ...options.env,
  }, options.kafkaBrokers);
  const tally = new ClickHouseTally(ns.direct);
  const redis = new Redis(ns.direct.redis.url);
  const engines: EngineChild[] = [];
  options.teardown(async () => {
    for (const engine of engines) await engine.ensureStopped();
    await tally.close();
    await redis.quit();
    await cleanup(ns.direct);
    rmSync(dir, { recursive: true, force: true });
  });

  for (let i = 0; i < options.processes; i += 1) {
    const port = i === 0 ? ns.metricsPort : await freePort();
    engines.push(EngineChild.start({ ...ns, metricsPort: port, metricsUrl: `http://127.0.0.1:${port}/metrics` }, `p${i}`, { STREAMREC_METRICS_PORT: String(port), STREAMREC_ENGINE_INSTANCE: `${ns.name}-p${i}` }));
  }
  for (const engine of engines) {
    const up = await waitFor(async () => ({ serving: (await engine.scrape()) !== null, running: engine.running }), (s) => s.serving || !s.running, { timeoutMs: 90_000, what: `engine ${engine.logFile} serving /metrics` });
    expect(up.running, engine.logTail()).toBe(true);
  }
  // Let the group settle on its members before the stream starts (a rebalance during it is also fine).
  await sleep(options.processes > 1 ? 8000 : 1000);

  const replay = replayDiginetica(ns.direct, { limit: options.events, invalidEvery: 200, rate: options.rate, sources: ['sessions'], concurrentSessions: CONCURRENT_SESSIONS });
  if (options.midway !== undefined) {
    const { at, act } = options.midway;
    await waitFor(() => tally.processed(), (n) => n >= options.events * at, { timeoutMs: 300_000, what: `${at * 100} % of the records stored` });
    for (const engine of engines) expect(engine.running, engine.logTail()).toBe(true);
    await act(engines, ns.name);
  }
  const produced = (await replay).produced;
  const drainMs = await waitDrained(tally, ns.direct, produced, 300_000, `${options.label} drained`);
  const counts = await tally.counts();
  expectComplete(counts, produced, { producerRetried: options.producerRetried === true });

  const live = engines.filter((engine) => engine.running);
  const scraped = (await Promise.all(live.map((engine) => engine.scrape()))).flatMap((samples) => samples ?? []);
  const applied = scraped.filter((s) => s.name === 'rec_state_deltas_total' && s.labels['direction'] === 'applied').reduce((sum, s) => sum + s.value, 0);
  const staleness = options.processes > 1 ? { p50: histogramQuantile(scraped, 'rec_state_delta_staleness_seconds', 0.5), p99: histogramQuantile(scraped, 'rec_state_delta_staleness_seconds', 0.99), applied } : null;
  const consumerRestarts: Record<string, number> = {};
  for (const s of scraped) if (s.name === 'rec_consumer_restarts_total') consumerRestarts[s.labels['reason'] ?? ''] = (consumerRestarts[s.labels['reason'] ?? ''] ?? 0) + s.value;
  // A clean stop flushes each process's last minute of online evaluation.
  for (const engine of live) expect((await engine.terminate(20_000)).code, engine.logTail()).toBe(0);

  const db = ns.direct.clickhouse.database;
  const [evaluation] = await tally.rows<{ hits: string; predictions: string }>(`SELECT toString(sum(hits_at_20)) AS hits, toString(sum(predictions)) AS predictions FROM ${db}.model_evaluation FINAL`);
  const predictions = Number(evaluation?.predictions ?? 0);
  const hr20 = predictions === 0 ? 0 : (100 * Number(evaluation?.hits ?? 0)) / predictions;

  // A record received twice (redone after a rebalance) counts at its earliest receipt still stored (a merge keeps the latest).
  const receipts = await tally.rows<{ p: number; o: string; r: string }>(`SELECT kafka_partition AS p, toString(kafka_offset) AS o, toString(min(ingested_ms)) AS r FROM ${db}.events GROUP BY p, o`);
  const pauses = receiptPauses(receipts.map((row) => ({ partition: Number(row.p), offset: Number(row.o), received: Number(row.r) })));

  const lastStored = await tally.rows<{ s: string; last: string }>(`SELECT session_id AS s, toString(max(ts)) AS last FROM ${db}.events FINAL GROUP BY session_id`);
  const eventCounts = new Map<string, number>();
  let sessionsUpToDate = 0;
  for (let i = 0; i < lastStored.length; i += 500) {
    const chunk = lastStored.slice(i, i + 500);
    const pipeline = redis.pipeline();
    for (const row of chunk) pipeline.hmget(`${ns.direct.redis.keyPrefix}session:${row.s}`, 'last_seen', 'event_count');
    const replies = (await pipeline.exec()) ?? [];
    chunk.forEach((row, j) => {
      const [lastSeen, eventCount] = (replies[j]?.[1] ?? [null, null]) as [string | null, string | null];
      if (lastSeen === row.last) sessionsUpToDate += 1;
      if (eventCount !== null) eventCounts.set(row.s, Number(eventCount));
    });
  }
  return { processes: options.processes, produced, counts, hr20, predictions, sessions: lastStored.length, sessionsUpToDate, eventCounts, drainMs, staleness, consumerRestarts, pauses };
}

/** Sessions whose Redis event_count differs between two runs over the same events. */
export function differingSessions(a: RunFigures, b: RunFigures): string[] {
  return [...a.eventCounts].filter(([session, count]) => b.eventCounts.get(session) !== count).map(([session]) => session);
}
