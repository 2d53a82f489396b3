import { afterAll, describe, expect, it } from 'vitest';
import { differingSessions, runScaleOut, type RunFigures } from './helpers/scale-out.ts';
import { reportFigures } from './helpers/scenario.ts';

const EVENTS = 15_000;
/** Records/s: the stream is still running when the process dies, and one process keeps up with it. */
const RATE = 300;

const summary = (run: RunFigures): Record<string, unknown> => ({
  processes: run.processes,
  produced: run.produced,
  rows: run.counts.rows,
  final: run.counts.final,
  duplicates: run.counts.duplicates,
  hr20: Number(run.hr20.toFixed(2)),
  predictions: run.predictions,
  sessions: run.sessions,
  sessionsUpToDate: run.sessionsUpToDate,
  drainMs: run.drainMs,
  staleness: run.staleness,
});

/**
 * Three engine processes in one consumer group over a 12-partition topic, one killed (kill -9) while
 * real events stream in: its partitions move to the others, which resume those sessions from its last
 * checkpoint, and everyone shares what they learn through the state deltas. Compared with one process
 * over the same events: nothing lost or stored twice, every session current, the same quality.
 */
describe('fault: scale-out over a consumer group', () => {
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  it('3 processes, one killed mid-stream: every event once, every session current, HR@20 within 1 point of one process', async () => {
    const single = await runScaleOut({ label: 'scale1', processes: 1, events: EVENTS, rate: RATE, teardown: (stop) => stops.push(stop) });
    let killedAt = 0;
    const three = await runScaleOut({
      label: 'scale3',
      processes: 3,
      events: EVENTS,
      rate: RATE,
      midway: {
        at: 0.4,
        act: async (engines) => {
          killedAt = Date.now();
          await engines[2]?.kill9();
        },
      },
      teardown: (stop) => stops.push(stop),
    });
    const differing = differingSessions(single, three);
    reportFigures('scale-out', { single: summary(single), three: summary(three), killedAt: new Date(killedAt).toISOString(), sessionsWithOtherEventCount: differing.length, hr20Difference: Number((three.hr20 - single.hr20).toFixed(2)) });

    for (const run of [single, three]) {
      expect(run.sessionsUpToDate, `${run.processes} process(es): sessions whose features show their last event`).toBe(run.sessions);
      expect(run.predictions).toBeGreaterThan(EVENTS / 2);
    }
    // The sessions of the dead process's partitions were resumed whole, not restarted empty.
    expect(differing.slice(0, 10)).toEqual([]);
    expect(Math.abs(three.hr20 - single.hr20)).toBeLessThanOrEqual(1);
    expect(three.staleness?.applied ?? 0).toBeGreaterThan(0);
  });
});
