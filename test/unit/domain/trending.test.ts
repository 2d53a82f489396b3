import { describe, expect, it } from 'vitest';
import { Trending, type TrendingEntry } from '../../../src/domain/trending.ts';
import { DAY, HOUR, MINUTE, T0 } from '../helpers/events.ts';
import { randomInt, seededRandom } from '../helpers/random.ts';

interface Observation {
  readonly item: string;
  readonly category: string;
  readonly weight: number;
  readonly ts: number;
}

/** Top-k recomputed from scratch: each item's decayed score at `asOf`, best first, ties by id. */
function bruteForceTop(observations: readonly Observation[], halfLifeMs: number, asOf: number, k: number, category?: string): { item: string; value: number }[] {
  const values = new Map<string, number>();
  const categoryOf = new Map<string, string>();
  for (const o of observations) {
    values.set(o.item, (values.get(o.item) ?? 0) + o.weight * 2 ** ((o.ts - asOf) / halfLifeMs));
    categoryOf.set(o.item, o.category);
  }
  return [...values]
    .filter(([item]) => category === undefined || categoryOf.get(item) === category)
    .map(([item, value]) => ({ item, value }))
    .sort((a, b) => b.value - a.value || (a.item < b.item ? -1 : 1))
    .slice(0, k);
}

/** Stored scores must be the true decayed scores times one common factor. */
function expectProportional(actual: readonly TrendingEntry[], expected: readonly { item: string; value: number }[]): void {
  expect(actual.map((e) => e.item)).toEqual(expected.map((e) => e.item));
  const ratios = actual.map((e, i) => e.score / (expected[i]?.value ?? Number.NaN));
  for (const ratio of ratios) expect(ratio / (ratios[0] ?? Number.NaN)).toBeCloseTo(1, 9);
}

describe('Trending', () => {
  it('matches a brute-force recomputation of global and per-category top-K over a random stream', () => {
    const halfLifeMs = HOUR;
    const categories = ['c0', 'c1', 'c2', 'c3'];
    const trending = new Trending({ halfLifeMs, maxItems: 1000, topK: 5 });
    const random = seededRandom(20240101);
    const seen: Observation[] = [];
    let ts = T0;
    let maxTs = T0;
    let refreshes = 0;
    for (let round = 0; round < 40; round += 1) {
      const batch = 20 + randomInt(random, 60);
      for (let i = 0; i < batch; i += 1) {
        // Mostly forward in time, sometimes a little back (out-of-order within a batch).
        ts += randomInt(random, 5 * MINUTE) - (random() < 0.2 ? 2 * MINUTE : 0);
        const n = randomInt(random, 40);
        const o = { item: `i${n}`, category: categories[n % 4] ?? 'c0', weight: 1 + randomInt(random, 4), ts };
        trending.observe(o.item, o.category, o.weight, o.ts);
        seen.push(o);
        maxTs = Math.max(maxTs, ts);
      }
      trending.refresh();
      refreshes += 1;
      expectProportional(trending.top(5), bruteForceTop(seen, halfLifeMs, maxTs, 5));
      expectProportional(trending.top(3), bruteForceTop(seen, halfLifeMs, maxTs, 3));
      for (const category of categories) {
        expectProportional(trending.topInCategory(category, 5), bruteForceTop(seen, halfLifeMs, maxTs, 5, category));
      }
    }
    expect(refreshes).toBe(40);
    // The stream spans many half-lives, so the ranking really did change over time.
    expect(maxTs - T0).toBeGreaterThan(50 * HOUR);
  });

  it('ignores observations with no weight (e.g. searches)', () => {
    const trending = new Trending({ halfLifeMs: HOUR, maxItems: 10, topK: 5 });
    trending.observe('a', 'c', 0, T0);
    trending.refresh();
    expect(trending.size).toBe(0);
    expect(trending.top(5)).toEqual([]);
  });

  it('evicts the weakest items beyond maxItems and keeps the strongest', () => {
    const trending = new Trending({ halfLifeMs: 1e15, maxItems: 10, topK: 5 });
    for (let k = 0; k < 15; k += 1) trending.observe(`i${k}`, k % 2 === 0 ? 'even' : 'odd', k + 1, T0);
    trending.refresh();
    // Down to 90 % of capacity: the 9 strongest (i6..i14) remain.
    expect(trending.size).toBe(9);
    for (let k = 0; k < 6; k += 1) expect(trending.category(`i${k}`)).toBeUndefined();
    for (let k = 6; k < 15; k += 1) expect(trending.category(`i${k}`)).toBeDefined();
    expect(trending.top(5).map((e) => e.item)).toEqual(['i14', 'i13', 'i12', 'i11', 'i10']);
    expect(trending.topInCategory('even', 5).map((e) => e.item)).toEqual(['i14', 'i12', 'i10', 'i8', 'i6']);
    expect(trending.topInCategory('odd', 5).map((e) => e.item)).toEqual(['i13', 'i11', 'i9', 'i7']);
  });

  it('stays finite (no NaN or Infinity) over ten years of event time at a 1 h half-life', () => {
    const trending = new Trending({ halfLifeMs: HOUR, maxItems: 100, topK: 5 });
    const random = seededRandom(7);
    let last = '';
    for (let t = 0; t <= 3650 * DAY; t += 6 * HOUR) {
      last = `i${randomInt(random, 30)}`;
      trending.observe(last, `c${randomInt(random, 3)}`, 1, T0 + t);
      if (t % DAY === 0) trending.refresh();
    }
    trending.observe(last, 'c0', 5, T0 + 3650 * DAY + 1);
    trending.refresh();
    const lists = [trending.top(5), trending.topInCategory('c0', 5), trending.topInCategory('c1', 5), trending.topInCategory('c2', 5)];
    for (const list of lists) for (const entry of list) expect(Number.isFinite(entry.score)).toBe(true);
    expect(trending.top(1)[0]?.item).toBe(last);
    expect(trending.top(1)[0]?.score).toBeGreaterThan(0);
  });

  it('drops an item from its old category list when its category changes', () => {
    const trending = new Trending({ halfLifeMs: HOUR, maxItems: 100, topK: 5 });
    trending.observe('x', 'shoes', 3, T0);
    trending.observe('y', 'shoes', 1, T0);
    trending.refresh();
    trending.observe('x', 'bags', 1, T0 + 1);
    trending.refresh();
    expect(trending.category('x')).toBe('bags');
    expect(trending.topInCategory('bags', 5).map((e) => e.item)).toEqual(['x']);
    expect(trending.topInCategory('shoes', 5).map((e) => e.item)).toEqual(['y']);
  });
});
