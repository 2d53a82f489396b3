import { afterAll, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { ClickHouseTally, groupPositions } from './helpers/counts.ts';
import { EngineChild } from './helpers/engine-child.ts';
import { faultNamespace, type FaultNamespace } from './helpers/namespace.ts';
import { EngineSampler } from './helpers/sampler.ts';
import { expectComplete, replayDiginetica, reportFigures, waitDrained } from './helpers/scenario.ts';

const EXIT_BOUND_MS = 15_000;

/**
 * SIGTERM in the middle of a backlog: the engine stops fetching, waits for the batches it holds to be
 * confirmed by Redis and ClickHouse, commits them and exits 0. Exactly what it stored is committed, so
 * a restart continues where it stopped: nothing lost, and no committed record is processed again.
 */
describe('fault: SIGTERM mid-stream', () => {
  let ns: FaultNamespace | undefined;
  let tally: ClickHouseTally | undefined;
  const engines: EngineChild[] = [];

  afterAll(async () => {
    for (const engine of engines) await engine.ensureStopped();
    await tally?.close();
    if (ns !== undefined) await cleanup(ns.direct);
  });

  it('drains, commits exactly what it stored, exits 0 within 15 s, and a restart loses nothing', async () => {
    // Small fetches keep most of the backlog in Kafka at the signal (with 1 MiB per partition one fetch
    // can take all 20k records), so the restart has work left and the commit boundary is mid-stream.
    ns = await faultNamespace('sigterm', {
      STREAMREC_ENGINE_SHUTDOWN_TIMEOUT_MS: '10000',
      STREAMREC_ENGINE_MAX_IN_FLIGHT_EVENTS: '2000',
      STREAMREC_KAFKA_MAX_BYTES_PER_PARTITION: '65536',
    });
    const t = new ClickHouseTally(ns.direct);
    tally = t;
    const replay = await replayDiginetica(ns.direct, { limit: 20_000, invalidEvery: 200 });
    const produced = replay.produced;
    const total = produced.valid + produced.invalid;

    const first = EngineChild.start(ns, 'first');
    engines.push(first);
    const sampler = new EngineSampler(first).start();
    // Mid-stream: a quarter of the backlog is stored, the rest is still to come.
    await waitFor(() => t.processed(), (n) => n >= total / 4, { timeoutMs: 90_000, what: 'a quarter of the backlog stored' });
    const inFlightBefore = (await first.metric('rec_inflight_events')) ?? 0;
    const consumedBefore = (await first.metric('rec_events_consumed_total')) ?? 0;
    const exit = await first.terminate(EXIT_BOUND_MS);
    const exitedAt = Date.now();
    sampler.stop();
    expect(exit.code, first.logTail()).toBe(0);
    expect(exit.ms).toBeLessThan(EXIT_BOUND_MS);

    // What was committed is exactly what was stored: offsets [0, committed) of every partition, none beyond.
    const positions = await groupPositions(ns.direct);
    const stored = await t.storedOffsets();
    let committedTotal = 0;
    for (const p of positions) {
      const committed = Math.max(0, p.committed);
      committedTotal += committed;
      const offsets = stored.get(p.partition) ?? new Set<number>();
      const beyond = [...offsets].filter((o) => o >= committed);
      expect(beyond, `partition ${p.partition}: stored beyond the committed offset ${committed}`).toEqual([]);
      expect(offsets.size, `partition ${p.partition}: records below the committed offset ${committed} not stored`).toBe(committed);
    }
    // It really was mid-stream: work was left for the restart.
    expect(committedTotal).toBeGreaterThan(0);
    expect(committedTotal).toBeLessThan(total);
    const atExit = await t.counts();

    const second = EngineChild.start(ns, 'second');
    engines.push(second);
    const restartedAt = Date.now();
    const firstConsumed = await waitFor(async () => (await second.metric('rec_events_consumed_total')) ?? 0, (n) => n > 0, {
      timeoutMs: 60_000,
      intervalMs: 50,
      what: 'the restarted engine consuming',
    });
    const restartToProcessingMs = Date.now() - restartedAt;
    expect(firstConsumed).toBeGreaterThan(0);
    const drainMs = await waitDrained(t, ns.direct, produced, 120_000, 'after the restart');
    const counts = await t.counts();
    expectComplete(counts, produced);

    // No committed record was processed again by the second engine.
    const partitions = positions.map((p) => `(kafka_partition = ${p.partition} AND kafka_offset < ${Math.max(0, p.committed)})`).join(' OR ');
    const db = ns.direct.clickhouse.database;
    const redoneEvents = await t.number(`SELECT count() AS n FROM ${db}.events WHERE ingested_ms > ${exitedAt} AND (${partitions})`);
    const redoneLetters = await t.number(`SELECT count() AS n FROM ${db}.dead_letters WHERE received_ms > ${exitedAt} AND (${partitions})`);
    expect(redoneEvents + redoneLetters).toBe(0);
    const secondExit = await second.terminate(EXIT_BOUND_MS);
    expect(secondExit.code, second.logTail()).toBe(0);

    reportFigures('sigterm', {
      produced: { valid: produced.valid, invalid: produced.invalid },
      atSigterm: { consumed: consumedBefore, inFlight: inFlightBefore, committed: committedTotal, storedEvents: atExit.distinct, storedDeadLetters: atExit.deadLetters },
      exit: { code: exit.code, ms: exit.ms },
      restartToProcessingMs,
      drainMs,
      final: counts,
      lost: produced.valid - counts.distinct,
      redoneAfterRestart: redoneEvents + redoneLetters,
      secondExit,
    });
  });
});
