import { afterAll, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { killBroker, ensureBroker, stackUp } from './helpers/broker.ts';
import { ClickHouseTally, committedLag } from './helpers/counts.ts';
import { EngineChild } from './helpers/engine-child.ts';
import { faultNamespace, type FaultNamespace } from './helpers/namespace.ts';
import { EngineSampler } from './helpers/sampler.ts';
import { expectComplete, replayDiginetica, reportFigures, sessionPart, sleep, waitDrained } from './helpers/scenario.ts';

const DOWN_MS = 10_000;

/**
 * The stack's Kafka broker is killed with SIGKILL while the engine works through a backlog, stays down
 * for 10 s, and is started again by `stack.sh up`. The engine keeps running, reconnects, finishes the
 * backlog and takes new records produced after the restart; nothing is lost.
 *
 * Small fetches (64 KiB per partition) keep part of the backlog in Kafka at the moment of the kill, so
 * the engine really has to fetch again from the restarted broker (with the default 1 MiB a single fetch
 * can take the whole backlog; see docs/reliability.md).
 */
describe('fault: Kafka broker killed and restarted mid-stream', () => {
  let ns: FaultNamespace | undefined;
  let engine: EngineChild | undefined;
  let tally: ClickHouseTally | undefined;

  afterAll(async () => {
    // The broker is shared by every later test: up again whatever happened here.
    await ensureBroker();
    await engine?.ensureStopped();
    await tally?.close();
    if (ns !== undefined) await cleanup(ns.direct);
  });

  it('reconnects after the broker comes back and loses nothing', async () => {
    ns = await faultNamespace('broker', { STREAMREC_KAFKA_MAX_BYTES_PER_PARTITION: '65536', STREAMREC_ENGINE_MAX_IN_FLIGHT_EVENTS: '2000' });
    const namespace = ns;
    const t = new ClickHouseTally(ns.direct);
    tally = t;
    const before = await replayDiginetica(ns.direct, { limit: 25_000, invalidEvery: 200, holdOut: sessionPart('a', 4) });
    const e = EngineChild.start(ns, 'run');
    engine = e;
    const sampler = new EngineSampler(e, 200).start();
    await waitFor(() => t.processed(), (n) => n >= before.produced.total * 0.3, { timeoutMs: 90_000, what: '30 % of the backlog stored' });

    const pid = e.pid;
    const storedAtKill = await t.processed();
    const killedAt = Date.now();
    const brokerPid = await killBroker();
    await sleep(DOWN_MS);
    const storedWhileDown = (await t.processed()) - storedAtKill;
    const aliveWhileDown = e.running;
    const up = await stackUp();
    expect(up.code, up.output).toBe(0);
    const brokerUpAt = Date.now();
    const lagAtUp = await committedLag(namespace.direct);
    const consumedAtUp = (await e.metric('rec_events_consumed_total')) ?? 0;
    await waitFor(async () => (await e.metric('rec_events_consumed_total')) ?? 0, (c) => c > consumedAtUp, {
      timeoutMs: 120_000,
      intervalMs: 100,
      what: 'consumption after the broker restart',
    });
    const resumeMs = Date.now() - brokerUpAt;

    // New records after the restart reach the engine too.
    const after = await replayDiginetica(namespace.direct, { limit: 25_000, invalidEvery: 200, holdOut: sessionPart('b', 4) });
    const produced = { valid: before.produced.valid + after.produced.valid, invalid: before.produced.invalid + after.produced.invalid };
    const drainMs = await waitDrained(t, namespace.direct, produced, 180_000, 'after the broker restart');
    sampler.stop();
    const survived = e.running && e.pid === pid;
    const counts = await t.counts();
    const logTail = e.logTail();
    const exit = await e.terminate(15_000);

    reportFigures('broker-restart', {
      produced: { beforeKill: before.produced, afterRestart: after.produced },
      brokerPid,
      downMs: DOWN_MS,
      storedAtKill,
      storedWhileDown,
      brokerStartMs: up.ms,
      brokerDownTotalMs: brokerUpAt - killedAt,
      lagAtBrokerUp: lagAtUp,
      resumeAfterBrokerUpMs: resumeMs,
      drainMs,
      counts,
      lost: produced.valid - counts.distinct,
      survived,
      exit,
    });

    expect(aliveWhileDown, logTail).toBe(true);
    expect(storedAtKill).toBeLessThan(before.produced.total);
    expect(survived, logTail).toBe(true);
    expect(exit.code, logTail).toBe(0);
    expectComplete(counts, produced);
  });
});
