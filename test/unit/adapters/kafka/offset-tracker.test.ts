import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../../../../src/adapters/kafka/offset-tracker.ts';

describe('OffsetTracker', () => {
  it('commits after each batch acknowledged in order', () => {
    const tracker = new OffsetTracker();
    const a = tracker.track(0n, 9n);
    const b = tracker.track(10n, 19n);
    expect(tracker.inFlightBatches).toBe(2);
    expect(tracker.ack(a)).toBe(10n);
    expect(tracker.ack(b)).toBe(20n);
    expect(tracker.inFlightBatches).toBe(0);
  });

  it('commits only the contiguous acknowledged prefix when acks arrive out of order', () => {
    const tracker = new OffsetTracker();
    const a = tracker.track(0n, 9n);
    const b = tracker.track(10n, 19n);
    const c = tracker.track(20n, 29n);
    const d = tracker.track(30n, 39n);
    expect(tracker.ack(c)).toBeNull();
    expect(tracker.ack(b)).toBeNull();
    expect(tracker.inFlightBatches).toBe(4);
    expect(tracker.ack(a)).toBe(30n);
    expect(tracker.inFlightBatches).toBe(1);
    expect(tracker.ack(d)).toBe(40n);
  });

  it('ignores a second ack of the same batch', () => {
    const tracker = new OffsetTracker();
    const a = tracker.track(0n, 4n);
    const b = tracker.track(5n, 9n);
    expect(tracker.ack(b)).toBeNull();
    expect(tracker.ack(b)).toBeNull();
    expect(tracker.ack(a)).toBe(10n);
    expect(tracker.ack(a)).toBeNull();
  });

  it('accepts gaps between batches (compacted topics)', () => {
    const tracker = new OffsetTracker();
    const a = tracker.track(0n, 9n);
    const b = tracker.track(15n, 20n);
    expect(tracker.ack(a)).toBe(10n);
    expect(tracker.ack(b)).toBe(21n);
  });

  it('starts a new generation on a seek back, so acks from before it never commit', () => {
    const tracker = new OffsetTracker();
    const a = tracker.track(0n, 9n);
    const b = tracker.track(10n, 19n);
    const again = tracker.track(5n, 14n); // first offset <= highest seen: redelivery
    expect(tracker.inFlightBatches).toBe(1);
    expect(tracker.ack(b)).toBeNull();
    expect(tracker.ack(a)).toBeNull();
    expect(tracker.ack(again)).toBe(15n);
  });

  it('treats a batch starting at the highest tracked offset as a seek back', () => {
    const tracker = new OffsetTracker();
    const a = tracker.track(0n, 9n);
    const overlap = tracker.track(9n, 12n);
    expect(tracker.ack(a)).toBeNull();
    expect(tracker.ack(overlap)).toBe(13n);
  });

  it('reset() forgets in-flight batches and makes their tokens no-ops', () => {
    const tracker = new OffsetTracker();
    const a = tracker.track(0n, 9n);
    tracker.reset();
    expect(tracker.inFlightBatches).toBe(0);
    expect(tracker.ack(a)).toBeNull();
    // After a reset any position is accepted, including the same offsets again.
    const b = tracker.track(0n, 9n);
    expect(tracker.ack(a)).toBeNull();
    expect(tracker.ack(b)).toBe(10n);
  });
});
