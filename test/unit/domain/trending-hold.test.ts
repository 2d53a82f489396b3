import { describe, expect, it } from 'vitest';
import { TrendingHold, type HeldCount } from '../../../src/domain/trending-hold.ts';

const count = (session: string, item: string, ts: number): HeldCount => ({ session, item, category: null, weight: 1, ts });

describe('TrendingHold', () => {
  it('lets a count through once the newest event time is hold past it, in arrival order', () => {
    const hold = new TrendingHold(60_000, 1000);
    hold.add(count('a', 'x', 0));
    hold.add(count('b', 'y', 30_000));
    expect(hold.due()).toEqual([]);
    hold.add(count('c', 'z', 60_000));
    expect(hold.due().map((c) => c.item)).toEqual(['x']);
    hold.add(count('c', 'w', 95_000));
    expect(hold.due().map((c) => c.item)).toEqual(['y']);
    expect(hold.size).toBe(2);
  });

  it('drops the waiting counts of a session flagged as a bot, and only those', () => {
    const hold = new TrendingHold(60_000, 1000);
    for (let k = 0; k < 5; k += 1) hold.add(count('bot', 'target', k));
    hold.add(count('human', 'target', 3));
    hold.flag('bot');
    hold.add(count('human', 'other', 120_000));
    expect(hold.due().map((c) => c.session)).toEqual(['human']);
    // Once its counts are gone, the flag is not kept.
    hold.add(count('human', 'later', 300_000));
    hold.due();
    expect(hold.isFlagged('bot')).toBe(false);
  });

  it('counts the oldest early beyond its bound, and restores from a snapshot', () => {
    const hold = new TrendingHold(60_000, 2);
    for (let k = 0; k < 4; k += 1) hold.add(count('s', `i${k}`, k));
    expect(hold.due().map((c) => c.item)).toEqual(['i0', 'i1']);
    const copy = new TrendingHold(60_000, 2);
    copy.restore(hold.snapshot());
    copy.add(count('s', 'late', 100_000));
    expect(copy.due().map((c) => c.item)).toEqual(['i2', 'i3']);
  });
});
