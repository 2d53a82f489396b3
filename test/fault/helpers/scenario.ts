import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Config } from '../../../src/config/config.ts';
import type { LoadedReplay, ReplaySource } from '../../../src/replay/diginetica.ts';
import { runReplay, type ReplaySummary } from '../../../src/replay/run.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import { committedLag, type ClickHouseTally, type StoredCounts } from './counts.ts';
import { LOG_DIR } from './engine-child.ts';

export const DIGINETICA_DIR = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'diginetica');

/** Where each fault test appends its measured figures (one JSON line per test run). */
export const FIGURES_FILE = join(LOG_DIR, 'figures.jsonl');

/** Valid (V) and invalid (I) records one replay produced. */
export interface Produced {
  readonly valid: number;
  readonly invalid: number;
}

/**
 * Replays real Diginetica views and purchases (time-ordered, shifted to now, keyed by session) into the
 * test's topic, with one broken record after every `invalidEvery` valid ones.
 */
export async function replayDiginetica(
  config: Config,
  options: {
    readonly limit: number;
    readonly invalidEvery: number;
    readonly rate?: number;
    readonly signal?: AbortSignal;
    /** Keep these sessions out (see `sessionPart`). */
    readonly holdOut?: (loaded: LoadedReplay) => ReadonlySet<string>;
    /** Raw views and purchases unless given ('sessions': whole SR-GNN training sessions). */
    readonly sources?: readonly ReplaySource[];
    /** As a live stream of this many concurrent sessions (runReplay's concurrentSessions). */
    readonly concurrentSessions?: number;
  },
): Promise<ReplaySummary> {
  return runReplay({
    dataDir: DIGINETICA_DIR,
    sources: options.sources ?? ['views', 'purchases'],
    limit: options.limit,
    invalidEvery: options.invalidEvery,
    rate: options.rate ?? 0,
    config,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.holdOut === undefined ? {} : { holdOut: options.holdOut }),
    ...(options.concurrentSessions === undefined ? {} : { concurrentSessions: options.concurrentSessions }),
  });
}

/**
 * Splits the replay by session into two disjoint parts, so a test can produce one part, break
 * something, and produce the other: part 'b' is every `every`-th session (in first-seen order), part
 * 'a' the rest. Returns the `holdOut` that keeps the other part out.
 */
export function sessionPart(part: 'a' | 'b', every: number): (loaded: LoadedReplay) => ReadonlySet<string> {
  return (loaded) => {
    const sessions = [...new Set(loaded.events.map((e) => e.session_id))];
    const inB = (i: number): boolean => i % every === 0;
    return new Set(sessions.filter((_, i) => (part === 'a' ? inB(i) : !inB(i))));
  };
}

/**
 * Waits until every produced record is in ClickHouse (V distinct events, I distinct dead letters) and
 * the group has committed up to the end of every partition. Returns the milliseconds it took.
 */
export async function waitDrained(tally: ClickHouseTally, config: Config, produced: Produced, timeoutMs: number, what: string): Promise<number> {
  const start = Date.now();
  await waitFor(
    async () => {
      const processed = await tally.processed();
      const lag = processed >= produced.valid + produced.invalid ? await committedLag(config) : null;
      return { processed, lag };
    },
    (s) => s.processed >= produced.valid + produced.invalid && s.lag === 0,
    { timeoutMs, intervalMs: 250, what: `${what}: ${produced.valid + produced.invalid} records stored and committed` },
  );
  return Date.now() - start;
}

/**
 * The count check every fault test ends with: nothing lost (each valid event at least once, exactly once
 * by FINAL and uniqExact), nothing invented, every invalid record dead-lettered once by its Kafka position.
 * Duplicates (rows − distinct) are at-least-once redeliveries: reported, never asserted to be zero here.
 *
 * `producerRetried`: a broker died while the replay was producing. Its producer (acks=all, retries, not
 * idempotent) then may have written a record twice, at two positions, when the dead leader had stored a
 * request whose answer never came. A repeated broken record is dead-lettered at both positions, so there
 * each broken record must be there by its content, and its positions may exceed the count produced.
 */
export function expectComplete(counts: StoredCounts, produced: Produced, options: { readonly producerRetried?: boolean } = {}): void {
  expect(produced.valid).toBeGreaterThan(0);
  expect(produced.invalid).toBeGreaterThan(0);
  expect(counts.rows).toBeGreaterThanOrEqual(produced.valid);
  expect(counts.distinct).toBe(produced.valid);
  expect(counts.final).toBe(produced.valid);
  expect(counts.deadLetterPayloads).toBe(produced.invalid);
  if (options.producerRetried === true) expect(counts.deadLetters).toBeGreaterThanOrEqual(produced.invalid);
  else expect(counts.deadLetters).toBe(produced.invalid);
}

/** Prints a test's figures and appends them to FIGURES_FILE (the numbers in docs/reliability.md). */
export function reportFigures(test: string, figures: Readonly<Record<string, unknown>>): void {
  const line = JSON.stringify({ test, at: new Date().toISOString(), ...figures });
  mkdirSync(LOG_DIR, { recursive: true });
  appendFileSync(FIGURES_FILE, `${line}\n`);
  process.stdout.write(`[fault] ${line}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
