import { describe, expect, it } from 'vitest';
import { Covisitation } from '../../../src/domain/covisitation.ts';
import { buildFeedItems, categoryAffinity, type FeedContext, type FeedBuilderOptions } from '../../../src/domain/feed-builder.ts';
import { SessionState } from '../../../src/domain/session-state.ts';
import { Trending } from '../../../src/domain/trending.ts';
import { T0, event } from '../helpers/events.ts';

/** Long half-lives and one timestamp: every learned weight is an exact count. */
const NO_DECAY = 1e15;
const OPTIONS: FeedBuilderOptions = { size: 10, purchasedHideMs: 5000, neighbours: 10 };

function stores(): { covisit: Covisitation; trending: Trending } {
  return {
    covisit: new Covisitation({ neighbours: 10, window: 5, halfLifeMs: NO_DECAY, maxItems: 1000 }),
    trending: new Trending({ halfLifeMs: NO_DECAY, maxItems: 1000, topK: 20 }),
  };
}

/** `times` sessions saw `to` right after `from`. */
function pair(covisit: Covisitation, from: string, to: string, times = 1): void {
  for (let i = 0; i < times; i += 1) covisit.observe(to, [from], T0);
}

function context(recent: readonly string[], overrides: Partial<FeedContext> = {}): FeedContext {
  return { recent: recent.map((item) => ({ item, ts: T0 })), categories: new Map(), purchased: new Map(), now: T0, ...overrides };
}

describe('buildFeedItems', () => {
  it('leads with co-visitation neighbours of the newest item, then older items, then trending', () => {
    const { covisit, trending } = stores();
    pair(covisit, 'A', 'X', 2);
    pair(covisit, 'A', 'Y', 1);
    pair(covisit, 'B', 'Z', 1);
    trending.observe('T', null, 5, T0);
    trending.refresh();
    const items = buildFeedItems(context(['A', 'B']), covisit, trending, OPTIONS);
    // Z is B's best neighbour (B is one step older than A); Y is only half as strong as X for A.
    expect(items.map((i) => [i.item_id, i.source])).toEqual([
      ['X', 'covisit'],
      ['Z', 'covisit'],
      ['Y', 'covisit'],
      ['T', 'trending'],
    ]);
    expect(items[0]?.score).toBe(1);
    expect(items[2]?.score).toBe(0.5);
  });

  it('never lists the current item, even when it is the strongest candidate', () => {
    const { covisit, trending } = stores();
    pair(covisit, 'B', 'A', 5);
    pair(covisit, 'B', 'C', 1);
    trending.observe('A', 'k', 100, T0);
    trending.observe('D', 'k', 1, T0);
    trending.refresh();
    const items = buildFeedItems(context(['A', 'B'], { categories: new Map([['k', 1]]) }), covisit, trending, OPTIONS);
    expect(items.map((i) => i.item_id)).not.toContain('A');
    expect(items.map((i) => i.item_id)).toEqual(expect.arrayContaining(['B', 'C', 'D']));
  });

  it('hides items purchased within purchasedHideMs and allows them again afterwards', () => {
    const { covisit, trending } = stores();
    pair(covisit, 'A', 'X', 2);
    pair(covisit, 'A', 'Y', 1);
    const now = T0 + 100_000;
    const ids = (boughtAt: number): string[] =>
      buildFeedItems(context(['A'], { now, purchased: new Map([['X', boughtAt]]) }), covisit, trending, OPTIONS).map((i) => i.item_id);
    expect(ids(now - 1000)).toEqual(['Y']);
    expect(ids(now - 4999)).toEqual(['Y']);
    expect(ids(now - 5000)).toEqual(['X', 'Y']);
  });

  it("serves a new category's trending items once the session moves to it", () => {
    const { covisit, trending } = stores();
    // Shoes are globally far more popular than bags.
    trending.observe('shoe1', 'shoes', 100, T0);
    trending.observe('shoe2', 'shoes', 90, T0);
    trending.observe('bag1', 'bags', 10, T0);
    trending.observe('bag2', 'bags', 9, T0);
    trending.refresh();
    const session = new SessionState('s', 0, T0);
    const limits = { lastItems: 20, maxEventsPerSession: 100 };
    ['s1', 's2', 's3'].forEach((item, i) => session.apply(event({ ts: T0 + i, item_id: item, category_id: 'shoes' }), limits, 0));
    const feed = (): string[] =>
      buildFeedItems(context([], { categories: categoryAffinity(session.history) }), covisit, trending, OPTIONS).map((i) => i.item_id);
    expect(feed().slice(0, 2)).toEqual(['shoe1', 'shoe2']);
    ['b1', 'b2'].forEach((item, i) => session.apply(event({ ts: T0 + 10 + i, item_id: item, category_id: 'bags' }), limits, 0));
    const after = buildFeedItems(context([], { categories: categoryAffinity(session.history) }), covisit, trending, OPTIONS);
    expect(after.slice(0, 2).map((i) => i.item_id)).toEqual(['bag1', 'bag2']);
    expect(after[0]?.source).toBe('trending_category');
  });

  it('returns at most `size` distinct items sorted by score, best first', () => {
    const { covisit, trending } = stores();
    for (let k = 0; k < 15; k += 1) trending.observe(`t${k}`, k % 2 === 0 ? 'a' : 'b', k + 1, T0);
    trending.refresh();
    for (let k = 0; k < 8; k += 1) pair(covisit, 'cur', `n${k}`, k + 1);
    const items = buildFeedItems(
      context(['cur'], { categories: new Map([['a', 2], ['b', 1]]) }),
      covisit,
      trending,
      { ...OPTIONS, size: 6 },
    );
    expect(items).toHaveLength(6);
    expect(new Set(items.map((i) => i.item_id)).size).toBe(6);
    for (let i = 1; i < items.length; i += 1) expect(items[i - 1]?.score).toBeGreaterThanOrEqual(items[i]?.score ?? Infinity);
    expect(items[0]?.item_id).toBe('n7');
  });

  it('returns an empty list when nothing is known', () => {
    const { covisit, trending } = stores();
    expect(buildFeedItems(context(['A']), covisit, trending, OPTIONS)).toEqual([]);
  });

  it("labels each item with the source that contributed most when each source contributes once", () => {
    const { covisit, trending } = stores();
    pair(covisit, 'A', 'X', 1);
    trending.observe('X', 'k', 1, T0); // X: covisit 1.0, plus a tenth of the category and trending weights
    trending.observe('K', 'k', 10, T0); // K: the full category and trending weights (both below covisit's 1.0)
    trending.refresh();
    const items = buildFeedItems(context(['A'], { categories: new Map([['k', 1]]) }), covisit, trending, OPTIONS);
    expect(items.map((i) => [i.item_id, i.source])).toEqual([
      ['X', 'covisit'],
      ['K', 'trending_category'],
    ]);
  });

  it('labels an item by the source with the largest total contribution', () => {
    const { covisit, trending } = stores();
    pair(covisit, 'A', 'Y', 10);
    pair(covisit, 'A', 'X', 3); // via A: 1 · 3/10 = 0.3
    pair(covisit, 'B', 'Z', 2);
    pair(covisit, 'B', 'X', 1); // via B: 0.6 · 1/2 = 0.3
    trending.observe('X', 'k', 10, T0); // category: its full weight (above 0.3), global: 0.1
    trending.refresh();
    const items = buildFeedItems(context(['A', 'B'], { categories: new Map([['k', 1]]) }), covisit, trending, OPTIONS);
    const x = items.find((i) => i.item_id === 'X');
    expect(x).toBeDefined();
    expect(x?.source).toBe('covisit');
  });
});

describe('categoryAffinity', () => {
  it('weights newer events more, by a constant factor per step back; events without a category only age the rest', () => {
    const step = categoryAffinity([{ category: 'old' }, { category: 'new' }]);
    expect(step.get('new')).toBe(1);
    const r = step.get('old') ?? Number.NaN;
    expect(r).toBeGreaterThan(0);
    expect(r).toBeLessThan(1);
    const affinity = categoryAffinity([{ category: 'a' }, { category: 'b' }, { category: null }, { category: 'a' }]);
    expect(affinity.get('a')).toBeCloseTo(1 + r ** 3, 12);
    expect(affinity.get('b')).toBeCloseTo(r ** 2, 12);
    expect([...affinity.keys()].sort()).toEqual(['a', 'b']);
  });

  it('ignores events so old their weight is negligible', () => {
    const events = [{ category: 'ancient' }, ...Array.from({ length: 20 }, () => ({ category: 'now' }))];
    expect(categoryAffinity(events).has('ancient')).toBe(false);
    expect(categoryAffinity([])).toEqual(new Map());
  });
});
