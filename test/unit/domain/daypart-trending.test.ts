import { describe, expect, it } from 'vitest';
import { DaypartTrending } from '../../../src/domain/daypart-trending.ts';

const DAY = Date.UTC(2026, 0, 12);
const at = (hour: number, minute = 0): number => DAY + hour * 3_600_000 + minute * 60_000;
const options = { dayparts: 6, utcOffsetMinutes: 0, halfLifeMs: 30 * 86_400_000, maxItems: 1000, topK: 10 };

describe('DaypartTrending', () => {
  it('cuts the day into equal parts on the storefront clock', () => {
    const utc = new DaypartTrending(options);
    expect([0, 3, 4, 11, 12, 23].map((h) => utc.daypart(at(h)))).toEqual([0, 0, 1, 2, 3, 5]);
    expect(utc.daypart(at(3, 59))).toBe(0);
    // UTC+1: 03:30 UTC is 04:30 local, already the second part; 23:30 UTC is 00:30 local the next day.
    const cet = new DaypartTrending({ ...options, utcOffsetMinutes: 60 });
    expect(cet.daypart(at(3, 30))).toBe(1);
    expect(cet.daypart(at(23, 30))).toBe(0);
    // West of UTC, before the epoch's day boundary, still a part of 0 … 5.
    const west = new DaypartTrending({ ...options, utcOffsetMinutes: -300 });
    expect(west.daypart(at(2))).toBe(5);
    expect(west.daypart(0)).toBe(4);
  });

  it('keeps each part its own lists, globally and per category, across days', () => {
    const trending = new DaypartTrending(options);
    for (let day = 0; day < 3; day += 1) {
      const shift = day * 86_400_000;
      for (let n = 0; n < 5; n += 1) trending.observe('coffee', 'breakfast', 1, at(8) + shift);
      trending.observe('toast', 'breakfast', 1, at(9) + shift);
      for (let n = 0; n < 4; n += 1) trending.observe('wine', 'drinks', 1, at(20) + shift);
      trending.observe('tea', 'breakfast', 2, at(21) + shift);
    }
    trending.refresh();
    const morning = at(10) + 4 * 86_400_000;
    const evening = at(22) + 4 * 86_400_000;
    expect(trending.top(morning, 5).map((e) => e.item)).toEqual(['coffee', 'toast']);
    expect(trending.top(evening, 5).map((e) => e.item)).toEqual(['wine', 'tea']);
    expect(trending.topInCategory(evening, 'breakfast', 5).map((e) => e.item)).toEqual(['tea']);
    expect(trending.topInCategory(morning, 'drinks', 5)).toEqual([]);
    // Nothing was ever taken in the night part.
    expect(trending.top(at(2), 5)).toEqual([]);
  });

  it('restores its checkpoint, and ignores one cut into another number of parts', () => {
    const trending = new DaypartTrending(options);
    trending.observe('coffee', 'breakfast', 3, at(8));
    trending.refresh();
    const copy = new DaypartTrending(options);
    expect(copy.restore(trending.snapshot())).toBe(true);
    expect(copy.top(at(9), 3)).toEqual(trending.top(at(9), 3));
    const other = new DaypartTrending({ ...options, dayparts: 4 });
    expect(other.restore(trending.snapshot())).toBe(false);
    expect(other.top(at(9), 3)).toEqual([]);
  });

  it('is off with 0 parts', () => {
    const off = new DaypartTrending({ ...options, dayparts: 0 });
    off.observe('coffee', 'breakfast', 3, at(8));
    off.refresh();
    expect(off.enabled).toBe(false);
    expect(off.top(at(8), 3)).toEqual([]);
  });
});
