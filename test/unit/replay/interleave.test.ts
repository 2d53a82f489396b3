import { describe, expect, it } from 'vitest';
import type { BehaviourEvent } from '../../../src/domain/event.ts';
import { interleaveSessions } from '../../../src/replay/interleave.ts';

const event = (session: string, step: number): BehaviourEvent => ({ event_id: `${session}-${step}`, type: 'view', ts: step, session_id: session, item_id: `i${step}` });

describe('interleaveSessions', () => {
  it('lets a fixed number of sessions take turns, keeps each session in order, and re-times the stream', () => {
    const recorded = [...[0, 1, 2].map((s) => event('a', s)), ...[0, 1].map((s) => event('b', s)), ...[0, 1, 2].map((s) => event('c', s))];
    const live = interleaveSessions(recorded, 2, 1000, 10);
    expect(live.map((e) => e.event_id)).toEqual(['a-0', 'b-0', 'a-1', 'b-1', 'a-2', 'c-0', 'c-1', 'c-2']);
    expect(live.map((e) => e.ts)).toEqual([1000, 1010, 1020, 1030, 1040, 1050, 1060, 1070]);
    expect(interleaveSessions(recorded, 2, 0, 10 / 3).map((e) => e.ts)).toEqual([0, 3, 7, 10, 13, 17, 20, 23]);
    expect(new Set(live.map((e) => e.event_id)).size).toBe(recorded.length);
  });

  it('with one session at a time it is the recorded order', () => {
    const recorded = [event('a', 0), event('a', 1), event('b', 0)];
    expect(interleaveSessions(recorded, 1, 0, 1).map((e) => e.event_id)).toEqual(['a-0', 'a-1', 'b-0']);
  });
});
