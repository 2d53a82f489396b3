import { afterAll, describe, expect, it } from 'vitest';
import { clusterBrokers, clusterDown, clusterStatus, clusterUp, coordinatorBroker, killBroker, startBroker, type BrokerNumber } from '../helpers/kafka-cluster.ts';
import { differingSessions, runScaleOut, type RunFigures } from './helpers/scale-out.ts';
import { reportFigures } from './helpers/scenario.ts';

const EVENTS = 15_000;
/** Records/s: the stream is still running when something dies, and one process keeps up with it. */
const RATE = 300;
/** Share of the records stored when the process or broker is killed. */
const KILL_AT = 0.4;

const summary = (run: RunFigures): Record<string, unknown> => ({
  processes: run.processes,
  produced: run.produced,
  rows: run.counts.rows,
  final: run.counts.final,
  duplicates: run.counts.duplicates,
  // Positions above payloads: broken records the replay's producer wrote twice (a broker killed mid-request).
  deadLetters: { positions: run.counts.deadLetters, payloads: run.counts.deadLetterPayloads },
  hr20: Number(run.hr20.toFixed(2)),
  predictions: run.predictions,
  sessions: run.sessions,
  sessionsUpToDate: run.sessionsUpToDate,
  drainMs: run.drainMs,
  staleness: run.staleness,
  consumerRestarts: run.consumerRestarts,
  pauses: run.pauses,
});

/**
 * What both scenarios check against one process over the same events. `hr20Points` bounds the HR@20
 * difference: 1 point (the bound) for a process kill; a broker outage also stalls a third of the
 * partitions for seconds, and a stalled session's next steps are then scored against the list it was
 * really shown before the stall, so there the measured cost of the outage is reported and bounded looser.
 */
function expectSameAsOne(run: RunFigures, single: RunFigures, hr20Points: number): void {
  for (const r of [single, run]) {
    expect(r.sessionsUpToDate, `${r.processes} process(es): sessions whose features show their last event`).toBe(r.sessions);
    expect(r.predictions).toBeGreaterThan(EVENTS / 4);
  }
  // Sessions of partitions that changed owner were resumed whole, not restarted empty.
  expect(differingSessions(single, run).slice(0, 10)).toEqual([]);
  expect(Math.abs(run.hr20 - single.hr20)).toBeLessThanOrEqual(hr20Points);
  expect(run.staleness?.applied ?? 0).toBeGreaterThan(0);
}

/**
 * Three engine processes in one consumer group over a 12-partition topic while real sessions stream
 * in, compared with one process over the same events: nothing lost or stored twice, every session
 * current, the same quality. First one process is killed (its partitions move to the others, which
 * resume those sessions from its last checkpoint; everyone shares what they learn through the state
 * deltas), then one of three Kafka brokers (replication factor 3).
 */
describe('fault: scale-out over a consumer group', () => {
  const stops: (() => Promise<void>)[] = [];
  let single: Promise<RunFigures> | undefined;
  const reference = (): Promise<RunFigures> => (single ??= runScaleOut({ label: 'scale1', processes: 1, events: EVENTS, rate: RATE, teardown: (stop) => stops.push(stop) }));
  afterAll(async () => {
    // Last in, first out: the broker cluster goes down after the namespace that lives on it is removed.
    for (const stop of stops.reverse()) await stop();
  });

  it('3 processes, one killed mid-stream: every event once, every session current, HR@20 within 1 point of one process', async () => {
    const one = await reference();
    let killedAt = 0;
    const three = await runScaleOut({
      label: 'scale3',
      processes: 3,
      events: EVENTS,
      rate: RATE,
      midway: {
        at: KILL_AT,
        act: async (engines) => {
          killedAt = Date.now();
          await engines[2]?.kill9();
        },
      },
      teardown: (stop) => stops.push(stop),
    });
    reportFigures('scale-out-process-kill', { single: summary(one), three: summary(three), killedAt: new Date(killedAt).toISOString(), sessionsWithOtherEventCount: differingSessions(one, three).length, hr20Difference: Number((three.hr20 - one.hr20).toFixed(2)) });
    expectSameAsOne(three, one, 1);
  });

  /**
   * One of three brokers killed mid-stream (replication factor 3, min.insync.replicas 2). `which` picks
   * it: a broker that does not coordinate the group (the partitions it led move to new leaders within
   * seconds), or the group's coordinator, the hardest to lose: every member's heartbeats fail, and the
   * group can only rebalance once the new coordinator has dropped the old members (the broker fence plus
   * a session timeout), so every partition waits that long. The HR@20 bounds are looser than the process
   * kill's (see expectSameAsOne): the stalled sessions' next steps are scored against the lists from
   * before the stall, the real cost of the outage, reported in the figures; the margin is for a loaded
   * CI machine.
   */
  const brokerKill = async (which: 'other' | 'coordinator'): Promise<void> => {
    const one = await reference();
    const up = Date.now();
    const started = await clusterStatus();
    if (!started.allUp) {
      await clusterUp();
      if (!clusterStarted) stops.push(async () => void (await clusterDown()));
      clusterStarted = true;
    }
    const clusterUpMs = Date.now() - up;
    let killedAt = 0;
    let killed: BrokerNumber | undefined;
    const three = await runScaleOut({
      label: which === 'coordinator' ? 'scalebc' : 'scalebk',
      processes: 3,
      events: EVENTS,
      rate: RATE,
      kafkaBrokers: clusterBrokers,
      env: { STREAMREC_KAFKA_REPLICATION_FACTOR: '3' },
      midway: {
        at: KILL_AT,
        act: async (_engines, group) => {
          const coordinator = await coordinatorBroker(group);
          killed = which === 'coordinator' ? coordinator : coordinator === 3 ? 2 : 3;
          killedAt = Date.now();
          await killBroker(killed);
        },
      },
      producerRetried: true,
      teardown: (stop) => stops.push(stop),
    });
    if (killed !== undefined) await startBroker(killed);
    reportFigures(which === 'coordinator' ? 'scale-out-coordinator-kill' : 'scale-out-broker-kill', { single: summary(one), three: summary(three), clusterUpMs, killedBroker: killed, killedAt: new Date(killedAt).toISOString(), sessionsWithOtherEventCount: differingSessions(one, three).length, hr20Difference: Number((three.hr20 - one.hr20).toFixed(2)) });
    // Measured on this machine: −0.44 to −1.38 points for another broker (−1.38 with two consumers
    // crashing on the lost leader and restarting), −0.21 to −0.50 since consumers fetch past a dead broker
    // (src/adapters/kafka/failover.ts); −0.52 to −1.39 for the coordinator's, whose stall also waits for
    // Kafka to elect and load a new coordinator (−0.95 to −1.38 with the failover patch).
    expectSameAsOne(three, one, which === 'coordinator' ? 2.5 : 2);
  };
  let clusterStarted = false;

  it('3 processes on 3 brokers (replication factor 3), one broker (not the group coordinator) killed mid-stream: the same checks', async () => {
    await brokerKill('other');
  });

  it('3 processes on 3 brokers, the broker holding the group coordinator killed mid-stream: the same checks', async () => {
    await brokerKill('coordinator');
  });
});
