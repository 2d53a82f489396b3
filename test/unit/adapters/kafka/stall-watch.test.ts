import { describe, expect, it } from 'vitest';
import { StallWatch, type StallPhase } from '../../../../src/adapters/kafka/stall-watch.ts';

/** A clock the test moves by hand; `check()` is what the interval timer calls. */
function watched(): { watch: StallWatch; stalls: [number, StallPhase][]; advance: (ms: number) => void } {
  let now = 1_000;
  const stalls: [number, StallPhase][] = [];
  const watch = new StallWatch({ inGroupMs: 6_000, joiningMs: 15_000 }, (silentMs, phase) => stalls.push([silentMs, phase]), () => now);
  return { watch, stalls, advance: (ms) => (now += ms) };
}

describe('StallWatch', () => {
  it('stays quiet while a member in its group keeps sending heartbeats', () => {
    const { watch, stalls, advance } = watched();
    watch.joined();
    for (let i = 0; i < 20; i += 1) {
      advance(5_000);
      watch.alive();
      watch.check();
    }
    expect(stalls).toEqual([]);
  });

  it('reports a member silent for a session, once, then waits a join limit for the replacement', () => {
    const { watch, stalls, advance } = watched();
    watch.joined();
    advance(5_999);
    watch.check();
    expect(stalls).toEqual([]);
    advance(1);
    watch.check();
    expect(stalls).toEqual([[6_000, 'in-group']]);
    advance(14_999);
    watch.check();
    expect(stalls).toHaveLength(1);
    advance(1);
    watch.check();
    expect(stalls).toEqual([
      [6_000, 'in-group'],
      [15_000, 'joining'],
    ]);
  });

  it('gives a join (start, crash, rebalance) the longer limit', () => {
    const { watch, stalls, advance } = watched();
    watch.joined();
    advance(3_000);
    watch.joining();
    advance(14_000);
    watch.check();
    expect(stalls).toEqual([]);
    watch.joined();
    advance(5_000);
    watch.check();
    expect(stalls).toEqual([]);
  });

  it('keeps a join that completed before the timer started', () => {
    const { watch, stalls, advance } = watched();
    watch.joining();
    watch.joined();
    watch.start();
    watch.stop();
    advance(6_000);
    watch.check();
    expect(stalls).toEqual([[6_000, 'in-group']]);
  });
});
