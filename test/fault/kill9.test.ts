import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/domain/random.ts';
import type { ReplaySummary } from '../../src/replay/run.ts';
import { cleanup } from '../helpers/cleanup.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { ClickHouseTally, committedLag } from './helpers/counts.ts';
import { EngineChild } from './helpers/engine-child.ts';
import { faultNamespace, type FaultNamespace } from './helpers/namespace.ts';
import { expectComplete, replayDiginetica, reportFigures, sleep, waitDrained } from './helpers/scenario.ts';

const KILLS = 10;
const EVENTS = 25_000;
/** Records/s of the replay: slow enough that it is still producing during most of the kills. */
const RATE = 250;
/** Every third kill hits a starting engine (connecting, migrating, joining the group) instead of a consuming one. */
const STARTUP_KILL_EVERY = 3;

/**
 * Milliseconds from the engine's spawn to its first consumed record (`rec_events_consumed_total` > 0),
 * or null when there was nothing to consume: the replay is over (`replayOver`) and the group had
 * committed everything (checked once the engine has had 20 s to join).
 */
async function firstConsumption(engine: EngineChild, replayOver: () => boolean): Promise<number | null> {
  const state = await waitFor(
    async () => {
      const consumed = (await engine.metric('rec_events_consumed_total')) ?? 0;
      const idle = consumed === 0 && replayOver() && Date.now() - engine.startedAt > 20_000 && (await committedLag(engine.ns.direct)) === 0;
      return { consumed, idle };
    },
    (s) => s.consumed > 0 || s.idle,
    { timeoutMs: 90_000, intervalMs: 50, what: 'the restarted engine consuming' },
  );
  return state.consumed > 0 ? Date.now() - engine.startedAt : null;
}

interface Kill {
  readonly n: number;
  readonly mode: 'processing' | 'startup';
  /** Spawn to the first record consumed (rec_events_consumed_total > 0); null if killed before. */
  readonly restartToProcessingMs: number | null;
  /** Spawn to SIGKILL. */
  readonly killedAfterMs: number;
  /** rec_events_consumed_total just before the kill; null while /metrics was not up yet. */
  readonly consumedBeforeKill: number | null;
  /** Records not committed by the group right after the kill (what the next engine must redo or do). */
  readonly lagAfterKill: number | null;
  /** Distinct records in ClickHouse right after the kill. */
  readonly storedAfterKill: number;
  readonly exitCode: number | null;
}

/**
 * kill -9 at random points while real Diginetica events are replayed: no drain, no commit, no leave
 * from the group. Each restart redelivers from the last committed offsets; after the last one the
 * engine drains, and every valid event is in ClickHouse exactly once by FINAL and uniqExact, every
 * broken record in dead_letters once. The seed (FAULT_SEED) makes a run's kill points repeatable.
 */
describe('fault: kill -9 at random points during a replay', () => {
  let ns: FaultNamespace | undefined;
  let tally: ClickHouseTally | undefined;
  let current: EngineChild | undefined;

  afterAll(async () => {
    await current?.ensureStopped();
    await tally?.close();
    if (ns !== undefined) await cleanup(ns.direct);
  });

  it(`survives ${KILLS} kills: every valid event stored once by FINAL/uniqExact, every invalid one dead-lettered`, async () => {
    const seed = Number(process.env['FAULT_SEED'] ?? Date.now() % 2_147_483_647);
    const random = mulberry32(seed);
    ns = await faultNamespace('kill9');
    const namespace = ns;
    const t = new ClickHouseTally(ns.direct);
    tally = t;
    const started = Date.now();
    let replayDone: ReplaySummary | null = null;
    const replay = replayDiginetica(ns.direct, { limit: EVENTS, invalidEvery: 200, rate: RATE }).then((summary) => (replayDone = summary));

    const kills: Kill[] = [];
    for (let n = 1; n <= KILLS; n += 1) {
      const engine = EngineChild.start(namespace, `run${n}`);
      current = engine;
      const mode = n % STARTUP_KILL_EVERY === 0 ? 'startup' : 'processing';
      let restartToProcessingMs: number | null = null;
      if (mode === 'startup') {
        await sleep(500 + random() * 4000);
      } else {
        restartToProcessingMs = await firstConsumption(engine, () => replayDone !== null);
        await sleep(random() * 6000);
      }
      expect(engine.running, engine.logTail()).toBe(true);
      const consumedBeforeKill = await engine.metric('rec_events_consumed_total');
      const killedAfterMs = Date.now() - engine.startedAt;
      const exit = await engine.kill9();
      kills.push({
        n,
        mode,
        restartToProcessingMs,
        killedAfterMs,
        consumedBeforeKill,
        lagAfterKill: await committedLag(namespace.direct),
        storedAfterKill: await t.processed(),
        exitCode: exit.code,
      });
    }

    const summary = await replay;
    const produced = summary.produced;
    const final = EngineChild.start(namespace, 'final');
    current = final;
    const finalRestartToProcessingMs = await firstConsumption(final, () => true);
    const drainMs = await waitDrained(t, namespace.direct, produced, 240_000, 'after the last restart');
    const counts = await t.counts();
    const exit = await final.terminate(15_000);

    const measured = kills.map((k) => k.restartToProcessingMs).filter((ms): ms is number => ms !== null);
    reportFigures('kill9', {
      seed,
      produced,
      replaySeconds: summary.wallSeconds,
      kills,
      restartToProcessingMs: { values: measured, max: Math.max(...measured) },
      finalRestartToProcessingMs,
      drainMs,
      counts,
      lost: produced.valid - counts.distinct,
      finalExit: exit,
      totalMs: Date.now() - started,
    });

    // Ten real kills: each by signal, none of a process that had already died on its own.
    expect(kills).toHaveLength(KILLS);
    for (const kill of kills) expect(kill.exitCode).toBeNull();
    // The kills hit real work: records were left uncommitted by a killed engine at least once.
    expect(kills.some((k) => (k.lagAfterKill ?? 0) > 0)).toBe(true);
    expect(kills.filter((k) => k.restartToProcessingMs !== null).length).toBeGreaterThanOrEqual(5);
    expect(exit.code, final.logTail()).toBe(0);
    expectComplete(counts, produced);
  });
});
