import { afterAll, describe, expect, it } from 'vitest';
import { identifier } from '../../src/adapters/clickhouse/sql.ts';
import { cleanup } from '../helpers/cleanup.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { ClickHouseTally } from './helpers/counts.ts';
import { EngineChild } from './helpers/engine-child.ts';
import { faultNamespace, type FaultNamespace } from './helpers/namespace.ts';
import { FaultProducer, histogramMaxAtMost, loadTimeSplit, LoadSampler, type LoadSample } from './helpers/overload.ts';
import { expectComplete, reportFigures, sleep, waitDrained } from './helpers/scenario.ts';

const MiB = 1024 * 1024;
/** Valid events in the backlog the cold drain rate is measured on (plus one broken record per 200). */
const BACKLOG_EVENTS = 18_000;
const INVALID_EVERY = 200;
const OVERLOAD_FACTOR = 2;
const OVERLOAD_MS = 60_000;
/** The engine's default `engine.maxInFlightEvents` (this test runs the engine with its defaults). */
const MAX_IN_FLIGHT = 20_000;
/**
 * Records sent before the engine has confirmed anything in the window: more than it may hold
 * (20,000 in flight plus one batch of at most 10,000), so part of the load waits in Kafka from the start.
 */
const HEAD_START = 30_000;
/**
 * A real backlog formed: the sampled peak of the engine's lag (rec_consumer_lag_events, summed over
 * partitions) reached at least this share of what the window left in Kafka by the counters, (produce
 * rate − R_w) × window ≈ (2 R_w − R_w) × 60 s. The gauge is updated only when a batch is accepted and
 * /metrics answers late under load, so it trails the counters; a quarter is well clear of that, while a
 * lag that never built up (the engine keeping pace, or a gauge stuck at 0) fails.
 */
const LAG_SHARE = 0.25;
/**
 * Peak resident memory allowed (the larger of the engine's own figure and /proc, sampled). An idle
 * engine is about 190 MiB. With the defaults (1 MiB fetches, so batches of 5,000–10,000 events, and
 * up to 20,000 events in flight) a saturated engine's heap saw-tooths between about 200 and 850 MiB
 * and its RSS peaked at 840–1,120 MiB in the runs of 2026-11-25, whether the lag was growing or
 * draining (docs/reliability.md, *Overload*); 1.5 GiB leaves about 40 % above that. The overload's own
 * backlog (110k–200k records) kept in the engine instead of in Kafka would come on top. The direct
 * check that the backlog waits in Kafka is the in-flight bound; this one is the safety net.
 */
const RSS_BOUND_BYTES = 1536 * MiB;
/**
 * The engine child's old-space cap. Uncapped, V8 let garbage pile up to 1.27 GiB of heap in the drain
 * (512 MiB live at the end) and RSS peaked at 1,500–1,521 MiB in the runs of 2026-12-06, so the RSS
 * bound measured GC timing more than what the engine keeps. With the cap, collections come earlier and
 * RSS measures what the engine holds; an engine that kept the backlog would run out of heap and exit.
 */
const OLD_SPACE_MIB = 1024;
/**
 * Once the producer stops, the lag left must drain at no less than 0.4 R_w (R_w: the engine's
 * throughput in the window), plus 15 s. The engine is slower in the drain than in the window (0.59–0.74
 * R_w in the runs of 2026-11-25: it works through later records, and its throughput falls along the
 * stream), and the machine is shared; an engine that stalls, crashes or falls back much further fails.
 */
const DRAIN_FACTOR = 2.5;
const DRAIN_SLACK_MS = 15_000;
/** How long the test waits for the drain at most (the assertion is on the bound above). */
const DRAIN_TIMEOUT_MS = 200_000;

const mib = (bytes: number): number => Number((bytes / MiB).toFixed(1));
const peakOf = (samples: readonly LoadSample[], pick: (s: LoadSample) => number | null): number =>
  samples.reduce((max, s) => Math.max(max, pick(s) ?? 0), 0);
/** Records confirmed by every sink (consumed and no longer in flight). */
const acked = (s: LoadSample): number => s.consumed - s.inFlight;

/**
 * Overload: the producer sends twice what the engine manages, for 60 s. The engine first drains a
 * backlog of real Diginetica events from cold (its drain rate R is reported); then new sessions are
 * produced, always keeping the records sent at a head start plus twice what the engine has confirmed
 * since the window began, so over the window the producer runs at 2 R_w, R_w being the engine's own
 * throughput under that load. (A fixed 2 R from the cold drain is far more than the engine sustains:
 * its throughput falls along the stream; see docs/reliability.md, *Overload*.) The lag grows; the
 * backlog must wait in Kafka, not in the engine (in-flight at its bound, resident memory bounded); once
 * the producer stops the lag drains, and nothing is lost.
 */
describe('fault: overload at twice the sustainable rate', () => {
  let ns: FaultNamespace | undefined;
  let engine: EngineChild | undefined;
  let producer: FaultProducer | undefined;
  let tally: ClickHouseTally | undefined;
  let sampler: LoadSampler | undefined;

  afterAll(async () => {
    sampler?.stop();
    await engine?.ensureStopped();
    await producer?.close();
    await tally?.close();
    if (ns !== undefined) await cleanup(ns.direct);
  });

  it('lag grows then drains, in-flight and memory stay bounded, nothing lost', { timeout: 330_000 }, async () => {
    const testStart = Date.now();
    const split = await loadTimeSplit(BACKLOG_EVENTS);
    ns = await faultNamespace('overload');
    const t = new ClickHouseTally(ns.direct);
    tally = t;
    const p = await FaultProducer.open(ns.direct);
    producer = p;
    let sentBefore = 0;
    let sentNow = 0;

    // 1. Cold drain rate R: a backlog, then a fresh engine with its default settings drains it.
    const backlog = await p.produce(split.backlog, { invalidEvery: INVALID_EVERY, rate: 0 });
    const backlogTotal = backlog.valid + backlog.invalid;
    sentBefore = backlogTotal;
    const e = EngineChild.start(ns, 'run', { NODE_OPTIONS: `--max-old-space-size=${OLD_SPACE_MIB}` });
    engine = e;
    const s = new LoadSampler(e, () => sentBefore + sentNow).start();
    sampler = s;
    await waitDrained(t, ns.direct, backlog, 120_000, 'backlog');
    const backlogDrainedAt = Date.now();
    // The first record consumed: the engine stamps every event with the time its batch was received
    // (ingested_ms, same host clock). /metrics is no good for this: it answers late while the engine is busy.
    const firstConsumedAt = await t.number(`SELECT min(ingested_ms) AS n FROM ${identifier(ns.direct.clickhouse.database)}.events`);
    const backlogSeconds = (backlogDrainedAt - firstConsumedAt) / 1000;
    const coldRate = backlogTotal / backlogSeconds;
    await waitFor(async () => s.last, (x) => x !== undefined && acked(x) >= backlogTotal, { timeoutMs: 10_000, intervalMs: 50, what: 'a sample after the backlog' });
    const ackedBefore = backlogTotal;
    const rssAfterBacklog = s.last?.rssBytes ?? 0;

    // 2. For 60 s, twice what the engine confirms: new sessions, later in event time than the backlog.
    const overloadFrom = Date.now();
    const overload = await p.follow(split.rest, {
      invalidEvery: INVALID_EVERY,
      factor: OVERLOAD_FACTOR,
      headStart: HEAD_START,
      durationMs: OVERLOAD_MS,
      processed: () => Math.max(0, (s.last === undefined ? ackedBefore : acked(s.last)) - ackedBefore),
      onProgress: (progress) => (sentNow = progress.sent),
    });
    const overloadTo = Date.now();
    const windowSeconds = (overloadTo - overloadFrom) / 1000;
    const overloadTotal = overload.valid + overload.invalid;
    const during = s.between(overloadFrom, overloadTo);
    const lastInWindow = during.at(-1);
    const ackedInWindow = (lastInWindow === undefined ? ackedBefore : acked(lastInWindow)) - ackedBefore;
    const windowRate = (ackedInWindow * 1000) / ((lastInWindow?.at ?? overloadTo) - overloadFrom);
    const produceRate = overloadTotal / windowSeconds;
    const lagAtStop = backlogTotal + overloadTotal - (lastInWindow === undefined ? ackedBefore : acked(lastInWindow));

    // 3. The producer has stopped: the lag drains.
    const produced = { valid: backlog.valid + overload.valid, invalid: backlog.invalid + overload.invalid };
    let drainMs: number | null = null;
    let drainError: string | null = null;
    try {
      drainMs = await waitDrained(t, ns.direct, produced, DRAIN_TIMEOUT_MS, 'after the overload');
    } catch (error) {
      drainError = error instanceof Error ? error.message : String(error);
    }
    const drainedAt = Date.now();
    await sleep(1000);
    s.stop();
    s.save();
    const finalMetrics = (await e.scrape()) ?? [];
    const counts = await t.counts();
    const exit = await e.terminate(15_000);

    const after = s.between(overloadTo, drainedAt + 1000);
    const peakLag = peakOf(during, (x) => x.lag);
    const atPeakLag = during.find((x) => x.lag === peakLag);
    const lagZeroAt = after.find((x) => x.lag === 0)?.at ?? null;
    const maxBatch = histogramMaxAtMost(finalMetrics, 'rec_batch_events');
    const peakInFlight = s.peak((x) => x.inFlight);
    const rssOf = (x: LoadSample): number => Math.max(x.rssBytes, x.procRssBytes ?? 0);
    const peakRssWindow = peakOf(during, rssOf);
    const peakRss = s.peak(rssOf);
    const gaps = s.samples.slice(1).map((x, i) => x.at - (s.samples[i]?.at ?? x.at));
    const expectedExcess = (produceRate - windowRate) * windowSeconds;
    const drainBoundMs = (DRAIN_FACTOR * lagAtStop * 1000) / windowRate + DRAIN_SLACK_MS;
    const wallMs = Date.now() - testStart;

    reportFigures('overload', {
      backlog: { valid: backlog.valid, invalid: backlog.invalid, drainSeconds: Number(backlogSeconds.toFixed(2)) },
      coldRate: Math.round(coldRate),
      windowMs: overloadTo - overloadFrom,
      windowRate: Math.round(windowRate),
      targetRate: Math.round(OVERLOAD_FACTOR * windowRate),
      produceRate: Math.round(produceRate),
      overloadProduced: { valid: overload.valid, invalid: overload.invalid, exhausted: overload.exhausted },
      confirmedInWindow: ackedInWindow,
      eventsAvailable: split.rest.length,
      straddlingLeftOut: split.straddling,
      peakLag,
      peakLagAtMs: (atPeakLag?.at ?? overloadTo) - overloadFrom,
      lagAtStop,
      expectedExcess: Math.round(expectedExcess),
      lagThreshold: Math.round(LAG_SHARE * expectedExcess),
      pausedShare: Number((during.filter((x) => x.paused === 1).length / Math.max(1, during.length)).toFixed(2)),
      peakInFlight,
      inFlightBound: MAX_IN_FLIGHT + maxBatch,
      maxBatchAtMost: maxBatch,
      rssAfterBacklogMiB: mib(rssAfterBacklog),
      peakRssWindowMiB: mib(peakRssWindow),
      peakRssMiB: mib(peakRss),
      peakRssMetricMiB: mib(s.peak((x) => x.rssBytes)),
      rssAtPeakLagMiB: mib(atPeakLag === undefined ? 0 : rssOf(atPeakLag)),
      rssAtEndMiB: mib(s.last === undefined ? 0 : rssOf(s.last)),
      peakHeapUsedMiB: mib(s.peak((x) => x.heapUsedBytes)),
      heapUsedAtEndMiB: mib(s.last?.heapUsedBytes ?? 0),
      longestEventLoopBlockSeconds: Number(s.peak((x) => x.eventLoopMaxSeconds).toFixed(2)),
      rssBoundMiB: mib(RSS_BOUND_BYTES),
      oldSpaceMiB: OLD_SPACE_MIB,
      lagZeroAfterStopMs: lagZeroAt === null ? null : lagZeroAt - overloadTo,
      drainMs,
      drainRate: drainMs === null ? null : Math.round((lagAtStop * 1000) / drainMs),
      drainError,
      drainBoundMs: Math.round(drainBoundMs),
      samples: s.samples.length,
      longestSampleGapMs: Math.max(0, ...gaps),
      counts,
      produced,
      lost: produced.valid - counts.distinct,
      exit,
      wallMs,
    });

    expect(exit.code, e.logTail()).toBe(0);
    // The producer really ran at twice the engine's pace, for the whole window.
    expect(overload.exhausted).toBe(false);
    expect(windowSeconds).toBeGreaterThanOrEqual(OVERLOAD_MS / 1000);
    expect(produceRate).toBeGreaterThanOrEqual(0.9 * OVERLOAD_FACTOR * windowRate);
    // A real backlog formed in Kafka while the producer ran ...
    expect(during.length).toBeGreaterThan(20);
    expect(peakLag).toBeGreaterThanOrEqual(LAG_SHARE * expectedExcess);
    // ... and it waited there, not in the engine.
    expect(peakOf(during, (x) => x.paused)).toBe(1);
    expect(peakInFlight, 'peak rec_inflight_events (sampled)').toBeLessThanOrEqual(MAX_IN_FLIGHT + maxBatch);
    expect(peakRss).toBeGreaterThan(0);
    expect(peakRss, 'peak resident memory').toBeLessThan(RSS_BOUND_BYTES);
    // After the producer stopped, the lag drained: every record stored and committed, in bounded time.
    expect(drainError).toBeNull();
    expect(lagZeroAt).not.toBeNull();
    expect(drainMs ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(drainBoundMs);
    expectComplete(counts, produced);
  });
});
