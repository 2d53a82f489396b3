import { firstValueFrom, map, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { sessionWindow } from '../../../../pipelines/operators/sessionWindow.ts';
import type { DecodedBatch, WindowedBatch } from '../../../../pipelines/types.ts';
import type { SessionWindowOptions } from '../../../../src/domain/partition-sessions.ts';
import { SessionWindows } from '../../../../src/domain/session-windows.ts';
import { MINUTE, T0, decodedBatch, event } from '../../helpers/events.ts';

const OPTIONS: SessionWindowOptions = {
  lastItems: 20,
  maxEventsPerSession: 100,
  inactivityMs: 30 * MINUTE,
  allowedLatenessMs: MINUTE,
  maxSessions: 100,
};

/** What a test looks at in a windowed batch, in plain (marble-comparable) values. */
function summary(batch: WindowedBatch) {
  return {
    late: batch.events.filter((e) => e.late).map((e) => e.event.event_id),
    lateCount: batch.lateCount,
    // Distinct items before the event, newest first.
    applied: batch.applied.map((a) => ({ id: a.ingested.event.event_id, previous: [...new Set([...a.before.sequence].reverse())] })),
    sessions: [...batch.touchedSessions.keys()],
    users: [...batch.touchedUsers],
    evicted: batch.evicted,
  };
}
type Summary = ReturnType<typeof summary>;

/** Runs `frames` through `sessionWindow` in virtual time and compares the per-batch summaries. */
function expectWindows(
  windows: SessionWindows,
  marble: string,
  frames: Record<string, DecodedBatch>,
  expected: Record<string, Partial<Summary>>,
): void {
  // Compare only the fields the test names (a frame that leaves one out fails the comparison).
  const fields = [...new Set(Object.values(expected).flatMap((frame) => Object.keys(frame)))];
  const ts = new TestScheduler((actual, wanted) => expect(actual).toEqual(wanted));
  ts.run(({ cold, expectObservable }) => {
    const out = cold(marble, frames).pipe(
      sessionWindow(windows),
      map((batch) => {
        const full = summary(batch);
        return Object.fromEntries(fields.map((k) => [k, full[k as keyof Summary]]));
      }),
    );
    expectObservable(out).toBe(marble, expected);
  });
}

describe('sessionWindow', () => {
  it('stores a record delivered twice but applies it once, in the same batch or a later one', () => {
    const windows = new SessionWindows(OPTIONS);
    const first = event({ event_id: 'd1', ts: T0, item_id: 'i1' });
    const second = event({ event_id: 'd2', ts: T0 + MINUTE, item_id: 'i2' });
    // Another event at the same time with another id is not a repeat.
    const sameTime = event({ event_id: 'd3', ts: T0 + MINUTE, item_id: 'i3' });
    const a = decodedBatch([first, second, first]);
    const b = decodedBatch([second, sameTime]);
    expectWindows(windows, 'ab', { a, b }, {
      a: { applied: [{ id: 'd1', previous: [] }, { id: 'd2', previous: ['i1'] }], sessions: ['s-1'] },
      b: { applied: [{ id: 'd3', previous: ['i2', 'i1'] }], sessions: ['s-1'] },
    });
    expect(windows.of(0).get('s-1')?.eventCount).toBe(3);
  });

  it('hands a record delivered twice to the sinks both times (they keep one row per event id)', async () => {
    const repeated = event({ event_id: 'r1', ts: T0, item_id: 'i1' });
    const batch = await firstValueFrom(of(decodedBatch([repeated, repeated])).pipe(sessionWindow(new SessionWindows(OPTIONS))));
    expect(batch.events.map((e) => e.event.event_id)).toEqual(['r1', 'r1']);
    expect(batch.applied).toHaveLength(1);
  });

  it('marks events behind the watermark (max event ts − allowed lateness) late and does not apply them', () => {
    const windows = new SessionWindows(OPTIONS);
    const a = decodedBatch([event({ event_id: 'a1', ts: T0 + 10 * MINUTE, item_id: 'i1' })]);
    const b = decodedBatch([
      event({ event_id: 'b1', ts: T0 + 9 * MINUTE - 1, item_id: 'late' }),
      event({ event_id: 'b2', ts: T0 + 9 * MINUTE, item_id: 'i2' }),
    ]);
    expectWindows(windows, 'a-b|', { a, b }, {
      a: { late: [], lateCount: 0, applied: [{ id: 'a1', previous: [] }] },
      // b2 is out of order (before i1 in event time), so no item precedes it.
      b: { late: ['b1'], lateCount: 1, applied: [{ id: 'b2', previous: [] }] },
    });
    const session = windows.of(0).get('s-1');
    expect(session?.history.map((e) => e.item)).toEqual(['i2', 'i1']);
    expect(session?.eventCount).toBe(2);
  });

  it('keeps late events in the batch (they still reach the sinks)', () => {
    const windows = new SessionWindows(OPTIONS);
    const batch = decodedBatch([event({ event_id: 'x', ts: T0 + 5 * MINUTE }), event({ event_id: 'y', ts: T0 })]);
    expectWindows(windows, 'a|', { a: batch }, { a: { late: ['y'], sessions: ['s-1'] } });
  });

  it('lists each touched session and known user once per batch', () => {
    const windows = new SessionWindows(OPTIONS);
    const batch = decodedBatch([
      event({ session_id: 's1', user_id: 'u1', ts: T0 }),
      event({ session_id: 's1', user_id: 'u1', ts: T0 + 1 }),
      event({ session_id: 's2', user_id: 'u1', ts: T0 + 2 }),
      event({ session_id: 's3', ts: T0 + 3 }),
      event({ session_id: 's2', user_id: 'u2', ts: T0 + 4 }),
    ]);
    expectWindows(windows, 'a|', { a: batch }, { a: { sessions: ['s1', 's2', 's3'], users: ['u1', 'u2'] } });
  });

  it('ends a session once the watermark passes its last event by the inactivity gap', () => {
    const windows = new SessionWindows(OPTIONS);
    const a = decodedBatch([event({ session_id: 's1', ts: T0 })]);
    // Watermark = ts − 1 min; s1 ends once watermark − 30 min > T0, i.e. max ts > T0 + 31 min.
    const b = decodedBatch([event({ session_id: 's2', ts: T0 + 31 * MINUTE })]);
    const c = decodedBatch([event({ session_id: 's3', ts: T0 + 31 * MINUTE + 1 })]);
    expectWindows(windows, 'abc|', { a, b, c }, {
      a: { sessions: ['s1'], evicted: { inactive: 0, capacity: 0 } },
      b: { sessions: ['s2'], evicted: { inactive: 0, capacity: 0 } },
      c: { sessions: ['s3'], evicted: { inactive: 1, capacity: 0 } },
    });
    expect(windows.of(0).get('s1')).toBeUndefined();
    expect(windows.of(0).size).toBe(2);
  });

  it('starts a new session state when the same id returns after the gap, with no previous items', () => {
    const windows = new SessionWindows(OPTIONS);
    const a = decodedBatch([event({ event_id: 'a1', session_id: 's1', ts: T0, item_id: 'old' })]);
    const b = decodedBatch([event({ event_id: 'b1', session_id: 's1', ts: T0 + 30 * MINUTE, item_id: 'same' })]);
    const c = decodedBatch([event({ event_id: 'c1', session_id: 's1', ts: T0 + 60 * MINUTE + 1, item_id: 'new' })]);
    expectWindows(windows, 'abc|', { a, b, c }, {
      a: { applied: [{ id: 'a1', previous: [] }], sessions: ['s1'] },
      // Exactly the gap: still the same session.
      b: { applied: [{ id: 'b1', previous: ['old'] }], sessions: ['s1'] },
      c: { applied: [{ id: 'c1', previous: [] }], sessions: ['s1'] },
    });
    const session = windows.of(0).get('s1');
    expect(session?.firstSeen).toBe(T0 + 60 * MINUTE + 1);
    expect(session?.eventCount).toBe(1);
    expect(session?.recentItems(10).map((e) => e.item)).toEqual(['new']);
  });

  it('evicts the least recently active sessions beyond capacity', () => {
    const windows = new SessionWindows({ ...OPTIONS, maxSessions: 2 });
    const a = decodedBatch([
      event({ session_id: 's1', ts: T0 }),
      event({ session_id: 's2', ts: T0 + 1 }),
      event({ session_id: 's3', ts: T0 + 2 }),
    ]);
    // s2 becomes the most recently active, so s3 (not s2) goes when s4 arrives.
    const b = decodedBatch([event({ session_id: 's2', ts: T0 + 3 }), event({ session_id: 's4', ts: T0 + 4 })]);
    // An evicted session touched by the batch is still reported, so its final feed gets written.
    expectWindows(windows, 'ab|', { a, b }, {
      a: { sessions: ['s1', 's2', 's3'], evicted: { inactive: 0, capacity: 1 } },
      b: { sessions: ['s2', 's4'], evicted: { inactive: 0, capacity: 1 } },
    });
    expect([...windows.sizes()]).toEqual([[0, 2]]);
    expect(windows.of(0).get('s3')).toBeUndefined();
    expect(windows.of(0).get('s2')).toBeDefined();
  });

  it('reports a session that ended within the batch with its final state', async () => {
    const windows = new SessionWindows(OPTIONS);
    const batch = decodedBatch([
      event({ session_id: 'gone', item_id: 'g1', ts: T0 }),
      event({ session_id: 'gone', item_id: 'g2', ts: T0 + 1 }),
      event({ session_id: 'live', ts: T0 + 40 * MINUTE }),
    ]);
    const out = await firstValueFrom(of(batch).pipe(sessionWindow(windows)));
    expect(out.evicted).toEqual({ inactive: 1, capacity: 0 });
    expect(windows.of(0).get('gone')).toBeUndefined();
    const gone = out.touchedSessions.get('gone');
    expect(gone?.eventCount).toBe(2);
    expect(gone?.recentItems(5).map((e) => e.item)).toEqual(['g2', 'g1']);
    expect(out.touchedSessions.get('live')).toBe(windows.of(0).get('live'));
  });

  it("hands each event the session's items before it, newest first and distinct", () => {
    const windows = new SessionWindows(OPTIONS);
    const items = ['i1', 'i2', 'i1', 'i3', 'i4'];
    const a = decodedBatch(items.slice(0, 3).map((item, i) => event({ event_id: `a${i}`, item_id: item, ts: T0 + i })));
    const b = decodedBatch(items.slice(3).map((item, i) => event({ event_id: `b${i}`, item_id: item, ts: T0 + 3 + i })));
    expectWindows(windows, 'a-b|', { a, b }, {
      a: {
        applied: [
          { id: 'a0', previous: [] },
          { id: 'a1', previous: ['i1'] },
          { id: 'a2', previous: ['i2', 'i1'] },
        ],
      },
      b: {
        applied: [
          { id: 'b0', previous: ['i1', 'i2'] },
          { id: 'b1', previous: ['i3', 'i1', 'i2'] },
        ],
      },
    });
  });

  it('inserts out-of-order events within the lateness in event-time order', () => {
    const windows = new SessionWindows(OPTIONS);
    const a = decodedBatch([
      event({ item_id: 'i1', ts: T0 + 10_000 }),
      event({ item_id: 'i3', ts: T0 + 30_000 }),
      event({ item_id: 'i2', ts: T0 + 20_000 }),
    ]);
    expectWindows(windows, 'a|', { a }, { a: { lateCount: 0 } });
    const session = windows.of(0).get('s-1');
    expect(session?.history.map((e) => e.ts - T0)).toEqual([10_000, 20_000, 30_000]);
    expect(session?.recentItems(10).map((e) => e.item)).toEqual(['i3', 'i2', 'i1']);
    expect(session?.lastSeen).toBe(T0 + 30_000);
  });

  it('hands an out-of-order event only the items before it in event time', () => {
    const windows = new SessionWindows(OPTIONS);
    const a = decodedBatch([
      event({ event_id: 'a1', item_id: 'i1', ts: T0 + 10_000 }),
      event({ event_id: 'a3', item_id: 'i3', ts: T0 + 30_000 }),
      event({ event_id: 'a2', item_id: 'i2', ts: T0 + 20_000 }),
    ]);
    expectWindows(windows, 'a|', { a }, {
      a: {
        applied: [
          { id: 'a1', previous: [] },
          { id: 'a3', previous: ['i1'] },
          { id: 'a2', previous: ['i1'] },
        ],
      },
    });
  });

  it('keeps separate state and watermark per partition for the same session id', () => {
    const windows = new SessionWindows(OPTIONS);
    const a = decodedBatch([event({ event_id: 'p0', session_id: 's', item_id: 'x', ts: T0 + 60 * MINUTE })], { partition: 0 });
    // Far behind partition 0's watermark, but partition 1 has its own.
    const b = decodedBatch([event({ event_id: 'p1', session_id: 's', item_id: 'y', ts: T0 })], { partition: 1 });
    expectWindows(windows, 'ab|', { a, b }, {
      a: { late: [], applied: [{ id: 'p0', previous: [] }] },
      b: { late: [], applied: [{ id: 'p1', previous: [] }] },
    });
    expect(windows.of(0).get('s')?.recentItems(5).map((e) => e.item)).toEqual(['x']);
    expect(windows.of(1).get('s')?.recentItems(5).map((e) => e.item)).toEqual(['y']);
  });

  it('marks every event of a session from the one that breaks a bot limit, leaves them out of learning, and reports the session once', async () => {
    const windows = new SessionWindows({ ...OPTIONS, botMaxRepeatsPerItem: 3 });
    const clicks = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => event({ event_id: `c${from + k}`, type: 'click', session_id: 'bot', item_id: 'target', ts: T0 + (from + k) * 1000 }));
    const first = await firstValueFrom(of(decodedBatch([...clicks(0, 5), event({ event_id: 'h1', session_id: 'human', item_id: 'target', ts: T0 })])).pipe(sessionWindow(windows)));
    // The fourth click breaks the limit of 3 on one item: it and every later one are the bot's.
    expect(first.events.filter((e) => e.bot !== undefined).map((e) => e.event.event_id)).toEqual(['c3', 'c4']);
    expect(first.events.find((e) => e.event.event_id === 'c4')?.bot).toBe('repeat');
    expect(first.applied.map((a) => a.ingested.event.event_id)).toEqual(['c0', 'c1', 'c2', 'h1']);
    expect(first.flagged).toEqual(['bot']);
    expect(first.botEvents).toEqual(new Map([['repeat', 2]]));
    // The same item again and again, but never 4 times within a minute: a shopper coming back to it.
    const slow = Array.from({ length: 10 }, (_, k) => event({ event_id: `v${k}`, session_id: 'fan', item_id: 'target', ts: T0 + k * 30_000 }));
    const patient = await firstValueFrom(of(decodedBatch(slow, { partition: 1 })).pipe(sessionWindow(windows)));
    expect(patient.flagged).toBeUndefined();
    const second = await firstValueFrom(of(decodedBatch(clicks(5, 7), { firstOffset: 10 })).pipe(sessionWindow(windows)));
    expect(second.applied).toEqual([]);
    expect(second.flagged).toBeUndefined();
    expect(second.botEvents).toEqual(new Map([['repeat', 2]]));
  });

  it('takes a session making more events in a minute than the limit for a bot, and never a slower one', async () => {
    const windows = new SessionWindows({ ...OPTIONS, botMaxEventsPerMinute: 10 });
    const burst = Array.from({ length: 12 }, (_, k) => event({ event_id: `f${k}`, session_id: 'fast', item_id: `i${k}`, ts: T0 + k * 1000 }));
    const calm = Array.from({ length: 30 }, (_, k) => event({ event_id: `s${k}`, session_id: 'slow', item_id: `i${k}`, ts: T0 + k * 7000 }));
    const batch = await firstValueFrom(of(decodedBatch([...burst, ...calm])).pipe(sessionWindow(windows)));
    expect(batch.events.filter((e) => e.bot === 'rate').map((e) => e.event.event_id)).toEqual(['f10', 'f11']);
    expect(batch.flagged).toEqual(['fast']);
    expect(windows.of(0).get('slow')?.bot).toBeNull();
    expect(windows.of(0).get('fast')?.snapshot().bot).toBe('rate');
  });
});

describe('sessionWindow after a partition changed owner', () => {
  const phased = (batch: DecodedBatch, phase: 'restore' | 'catch-up'): DecodedBatch => ({ ...batch, source: { ...batch.source, phase } });

  it('rebuilds sessions from records already stored and learned, handing nothing on', async () => {
    const windows = new SessionWindows(OPTIONS);
    const restored = phased(decodedBatch([event({ event_id: 'r1', item_id: 'i1' }), event({ event_id: 'r2', ts: T0 + 1000, item_id: 'i2' })]), 'restore');
    const out = await firstValueFrom(of(restored).pipe(sessionWindow(windows)));
    expect(out.events).toEqual([]);
    expect(out.applied).toEqual([]);
    expect(out.touchedSessions.size).toBe(0);
    expect(windows.of(0).get('s-1')?.history.map((e) => e.item)).toEqual(['i1', 'i2']);
  });

  it('stores and writes what another process learned but did not commit, without learning from it again', async () => {
    const windows = new SessionWindows(OPTIONS);
    const caught = phased(decodedBatch([event({ event_id: 'c1', item_id: 'i1' })]), 'catch-up');
    const out = await firstValueFrom(of(caught).pipe(sessionWindow(windows)));
    expect(out.events.map((e) => e.event.event_id)).toEqual(['c1']);
    expect(out.applied).toEqual([]);
    expect([...out.touchedSessions.keys()]).toEqual(['s-1']);
    const live = await firstValueFrom(of(decodedBatch([event({ event_id: 'l1', ts: T0 + 1000, item_id: 'i2' })], { firstOffset: 1 })).pipe(sessionWindow(windows)));
    expect(live.applied.map((a) => [a.ingested.event.event_id, a.before.sequence])).toEqual([['l1', ['i1']]]);
  });
});
