import { describe, expect, it } from 'vitest';
import { SessionWindows } from '../../../src/domain/session-windows.ts';
import { MINUTE, T0, event } from '../helpers/events.ts';

const OPTIONS = { lastItems: 20, maxEventsPerSession: 100, inactivityMs: 30 * MINUTE, allowedLatenessMs: MINUTE, maxSessions: 100 };

describe('SessionWindows', () => {
  it('creates one PartitionSessions per partition and reuses it', () => {
    const windows = new SessionWindows(OPTIONS);
    expect(windows.of(3)).toBe(windows.of(3));
    expect(windows.of(3)).not.toBe(windows.of(4));
    expect(windows.of(3).partition).toBe(3);
  });

  it('retain drops the partitions no longer owned and counts their sessions', () => {
    const windows = new SessionWindows(OPTIONS);
    windows.of(0).apply(event({ session_id: 'a', ts: T0 }), T0);
    windows.of(0).apply(event({ session_id: 'b', ts: T0 }), T0);
    windows.of(1).apply(event({ session_id: 'a', ts: T0 }), T0);
    windows.of(2).apply(event({ session_id: 'c', ts: T0 }), T0);
    expect(windows.retain([1])).toBe(3);
    expect([...windows.sizes()]).toEqual([[1, 1]]);
    // A re-assigned partition starts empty, with no watermark from before.
    expect(windows.of(0).size).toBe(0);
    expect(windows.of(0).apply(event({ session_id: 'a', ts: T0 - 60 * MINUTE }), T0).kind).toBe('applied');
    expect(windows.retain([0, 1])).toBe(0);
  });
});
