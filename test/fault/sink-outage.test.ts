import { afterAll, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.ts';
import type { EngineChild } from './helpers/engine-child.ts';
import type { FaultNamespace } from './helpers/namespace.ts';
import { consumedInLast, runOutage, type Sink } from './helpers/outage.ts';
import { expectComplete, reportFigures } from './helpers/scenario.ts';
import type { TcpProxy } from './helpers/tcp-proxy.ts';

const OUTAGE_MS = 30_000;
const MAX_IN_FLIGHT = 2000;

/**
 * Redis, then ClickHouse (its HTTP port), goes away for 30 s in the middle of a live replay: a proxy
 * cuts the engine's connections and refuses new ones; the shared server itself is untouched. The
 * engine retries the write, pauses consumption at its in-flight bound, and after the sink is back
 * drains the lag without losing a record. Nothing gets stored beyond what the engine held at the cut:
 * ClickHouse is written only after Redis confirmed, and an insert under way at the cut is all that
 * can land while ClickHouse is away.
 */
describe.each([
  { sink: 'redis' as Sink, label: 'redis_outage', figures: 'redis-outage', name: 'Redis' },
  { sink: 'clickhouse' as Sink, label: 'ch_outage', figures: 'clickhouse-outage', name: 'ClickHouse' },
])('fault: $name unavailable for 30 s', ({ sink, label, figures }) => {
  let ns: FaultNamespace | undefined;
  let engine: EngineChild | undefined;
  let proxy: TcpProxy | undefined;

  afterAll(async () => {
    await engine?.ensureStopped();
    await proxy?.close();
    if (ns !== undefined) await cleanup(ns.direct);
  });

  it('retries through the outage, pauses consumption, loses nothing and drains after the restore', async () => {
    const result = await runOutage(
      label,
      { sink, outageMs: OUTAGE_MS, events: 15_000, rate: 600, invalidEvery: 200, maxInFlightEvents: MAX_IN_FLIGHT, sinkRetries: 40, cutAfterMs: 4000 },
      (n, e, p) => {
        ns = n;
        engine = e;
        proxy = p;
      },
    );
    // The fault reached the engine: it lost its connections and its writes failed.
    expect(result.proxy.cutConnections).toBeGreaterThan(0);
    expect(result.sinkErrorsDuring).toBeGreaterThan(0);
    expect(result.processedAtRestore - result.processedAtCut).toBeLessThanOrEqual(MAX_IN_FLIGHT);
    // Backpressure: consumption paused, and the last 10 s of the outage read nothing new.
    expect(Math.max(...result.during.map((s) => s.paused))).toBe(1);
    expect(consumedInLast(result, 10_000)).toBe(0);
    expect(result.lagAtRestore).toBeGreaterThan(0);
    // The same process retried through the outage, and stops cleanly afterwards.
    expect(result.survived, result.logTail).toBe(true);
    expect(result.exit.code).toBe(0);
    expectComplete(result.counts, result.produced);

    reportFigures(figures, {
      outageMs: OUTAGE_MS,
      produced: result.produced,
      sinkErrorsDuring: result.sinkErrorsDuring,
      peakInFlightDuring: Math.max(...result.during.map((s) => s.inFlight)),
      pausedDuring: Math.max(...result.during.map((s) => s.paused)),
      storedDuringOutage: result.processedAtRestore - result.processedAtCut,
      lagAtRestore: result.lagAtRestore,
      drainMs: result.drainMs,
      counts: result.counts,
      lost: result.produced.valid - result.counts.distinct,
      exit: result.exit,
    });
  });
});
