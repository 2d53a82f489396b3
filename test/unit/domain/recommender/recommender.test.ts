import { describe, expect, it } from 'vitest';
import { CoPurchases } from '../../../../src/domain/co-purchases.ts';
import { RatingModel } from '../../../../src/domain/rating-model.ts';
import { Covisitation } from '../../../../src/domain/covisitation.ts';
import { DaypartTrending } from '../../../../src/domain/daypart-trending.ts';
import type { FeedItem } from '../../../../src/domain/feed.ts';
import { NewItems } from '../../../../src/domain/new-items.ts';
import { QueryIntent } from '../../../../src/domain/query-intent.ts';
import { F, FEATURE_COUNT } from '../../../../src/domain/recommender/features.ts';
import { Recommender, type RecommendRequest, type RecommenderOptions } from '../../../../src/domain/recommender/recommender.ts';
import { SessionKnn } from '../../../../src/domain/session-knn.ts';
import { SessionState } from '../../../../src/domain/session-state.ts';
import { Trending } from '../../../../src/domain/trending.ts';
import { T0, event } from '../../helpers/events.ts';

/** Long half-lives and one timestamp: every learned weight is an exact count. */
const NO_DECAY = 1e15;
const OPTIONS: RecommenderOptions = {
  covisitNeighbours: 10,
  poolPerSource: 20,
  purchasedHideMs: 5000,
  excludeCurrentItem: true,
  rankerLearningRate: 0.05,
  rankerLoss: 'listwise',
  rankerTopK: 20,
  rankerFirstPlaceWeight: 0.3,
  purchaseWeight: 0.5,
  rankerHiddenUnits: 0,
  rankerCrosses: false,
};

function setup(options: Partial<RecommenderOptions> = {}) {
  const sources = {
    covisit: new Covisitation({ neighbours: 10, window: 5, halfLifeMs: NO_DECAY, maxItems: 1000 }),
    knn: new SessionKnn({ k: 10, candidates: 100, maxSessions: 1000, maxItemsPerSession: 50 }),
    trending: new Trending({ halfLifeMs: NO_DECAY, maxItems: 1000, topK: 20 }),
    popularity: new Trending({ halfLifeMs: NO_DECAY, maxItems: 1000, topK: 20 }),
  };
  return { ...sources, recommender: new Recommender(sources, { ...OPTIONS, ...options }) };
}

function request(sequence: readonly string[], overrides: Partial<RecommendRequest> = {}): RecommendRequest {
  return { sequence, categories: new Map(), purchased: new Map(), now: T0, ...overrides };
}

/** `times` sessions saw `to` right after `from`. */
function pair(covisit: Covisitation, from: string, to: string, times = 1): void {
  for (let i = 0; i < times; i += 1) covisit.observe(to, [from], T0);
}

const ids = (items: readonly { item_id: string }[]): string[] => items.map((i) => i.item_id);

describe('Recommender', () => {
  it('adds the model\'s nearest items to the pool, as many as modelCandidates (none at 0), and scores every candidate with the model', () => {
    const asked: number[] = [];
    const model = {
      scoreItems: (_context: readonly string[], items: readonly string[], out: Float64Array): void => items.forEach((item, i) => (out[i] = item === 'B' ? 3 : 1)),
      nearest: (_context: readonly string[], k: number) => {
        asked.push(k);
        return Array.from({ length: k }, (_, i) => ({ item: `m${i}`, score: 1 - i / 100 }));
      },
    };
    const poolOf = (modelCandidates: number | undefined): { readonly items: readonly string[]; readonly x: Float64Array } => {
      const s = setup();
      pair(s.covisit, 'A', 'B', 2);
      const options = { ...OPTIONS, ...(modelCandidates === undefined ? {} : { modelCandidates }) };
      return new Recommender({ ...s, model }, options).candidates(request(['A']));
    };
    const pooled = (modelCandidates: number | undefined): readonly string[] => poolOf(modelCandidates).items;
    expect(pooled(3).filter((item) => item.startsWith('m'))).toEqual(['m0', 'm1', 'm2']);
    expect(pooled(0).filter((item) => item.startsWith('m'))).toEqual([]);
    expect(pooled(undefined).filter((item) => item.startsWith('m'))).toHaveLength(OPTIONS.poolPerSource);
    expect(asked).toEqual([3, OPTIONS.poolPerSource]);
    const without = poolOf(0);
    expect(without.x[without.items.indexOf('B') * FEATURE_COUNT + F.model]).toBeGreaterThan(0);
  });

  it('builds each pool from nothing: a large pool before leaves no features in the next one (the feature rows are reused)', () => {
    const fill = (s: ReturnType<typeof setup>): void => {
      // 300 neighbours of A: more rows than the first feature buffer holds.
      for (let i = 0; i < 300; i += 1) pair(s.covisit, 'A', `n${i}`, 1 + (i % 7));
      pair(s.covisit, 'B', 'Y', 3);
      pair(s.covisit, 'B', 'Z', 1);
    };
    const wide = (): ReturnType<typeof setup> => {
      const base = setup({ covisitNeighbours: 400, poolPerSource: 400 });
      const covisit = new Covisitation({ neighbours: 400, window: 5, halfLifeMs: NO_DECAY, maxItems: 1000 });
      const sources = { covisit, knn: base.knn, trending: base.trending, popularity: base.popularity };
      return { ...sources, recommender: new Recommender(sources, { ...OPTIONS, covisitNeighbours: 400, poolPerSource: 400 }) };
    };
    const reused = wide();
    const fresh = wide();
    for (const s of [reused, fresh]) fill(s);
    expect(reused.recommender.candidates(request(['A'])).items.length).toBeGreaterThan(256);
    const after = reused.recommender.candidates(request(['B']));
    const alone = fresh.recommender.candidates(request(['B']));
    expect(after.items).toEqual(alone.items);
    expect([...after.x]).toEqual([...alone.x]);
    expect(ids(reused.recommender.recommend(request(['B']), 5))).toEqual(ids(fresh.recommender.recommend(request(['B']), 5)));
  });

  it('leads with co-visitation neighbours of the newest item, ahead of older items and trending', () => {
    const { covisit, trending, recommender } = setup();
    pair(covisit, 'A', 'X', 2);
    pair(covisit, 'A', 'Y', 1);
    pair(covisit, 'B', 'Z', 1);
    trending.observe('T', null, 5, T0);
    trending.refresh();
    const items = recommender.recommend(request(['B', 'A']), 10);
    // X is A's best neighbour; Z is B's best (B is one step older: 0.6), above A's weaker Y (0.5).
    expect(ids(items).slice(0, 3)).toEqual(['X', 'Z', 'Y']);
    expect(items[0]?.source).toBe('covisit');
    expect(ids(items)).toEqual(expect.arrayContaining(['Z', 'T']));
    for (let i = 1; i < items.length; i += 1) expect(items[i - 1]?.score).toBeGreaterThanOrEqual(items[i]?.score ?? Infinity);
  });

  it('scores the items of similar past sessions (session-kNN)', () => {
    const { knn, recommender } = setup();
    for (let s = 0; s < 3; s += 1) ['A', 'B', 'K'].forEach((item) => knn.observe(`past-${s}`, item));
    knn.observe('other', 'Q');
    const items = recommender.recommend(request(['A', 'B'], { self: 'me' }), 10);
    // K follows A, B in every similar session; the context items themselves score too, as in V-SKNN.
    expect(items.find((i) => i.item_id === 'K')).toMatchObject({ source: 'session_knn' });
    expect(ids(items).slice(0, 3)).toContain('K');
    expect(ids(items)).not.toContain('Q');
  });

  it('gives list places and the request context as features', () => {
    const { knn, covisit, recommender } = setup();
    for (let s = 0; s < 3; s += 1) ['A', 'B', 'K'].forEach((item) => knn.observe(`past-${s}`, item));
    knn.observe('past-3', 'B');
    knn.observe('past-3', 'L');
    pair(covisit, 'B', 'X', 2);
    pair(covisit, 'B', 'Y', 1);
    const { items, x } = recommender.candidates(request(['A', 'B'], { self: 'me' }));
    const value = (item: string, feature: number): number => x[items.indexOf(item) * FEATURE_COUNT + feature] ?? Number.NaN;
    const places = knn.recommend(['A', 'B'], 20, 'me', 'vstan').map((entry) => entry.item);
    expect(places).toEqual(expect.arrayContaining(['K', 'L']));
    places.forEach((item, place) => expect(value(item, F.session_knn_rank)).toBeCloseTo(1 / Math.log2(2 + place), 12));
    expect(value('X', F.covisit_last_rank)).toBe(1);
    expect(value('Y', F.covisit_last_rank)).toBeCloseTo(1 / Math.log2(3), 12);
    expect(value('X', F.session_knn_rank)).toBe(0);
    // Request features: the same on every row, squashed into [0, 1).
    for (const item of items) {
      expect(value(item, F.context_length)).toBe(1 / 2);
      expect(value(item, F.covisit_strength)).toBeCloseTo(2 / 3, 12);
      expect(value(item, F.knn_strength)).toBe(value('K', F.knn_strength));
    }
    expect(value('K', F.knn_strength)).toBeGreaterThan(0);
    expect(value('K', F.knn_strength)).toBeLessThan(1);
  });

  it('never lists the current item when configured so, and may when not', () => {
    const { covisit, recommender } = setup();
    pair(covisit, 'B', 'A', 5);
    pair(covisit, 'B', 'C', 1);
    expect(ids(recommender.recommend(request(['B', 'A']), 10))).not.toContain('A');
    const keep = setup({ excludeCurrentItem: false });
    pair(keep.covisit, 'B', 'A', 5);
    expect(ids(keep.recommender.recommend(request(['B', 'A']), 10))).toContain('A');
  });

  it('hides items purchased within purchasedHideMs and allows them again afterwards', () => {
    const { covisit, recommender } = setup();
    pair(covisit, 'A', 'X', 2);
    pair(covisit, 'A', 'Y', 1);
    const now = T0 + 100_000;
    const list = (boughtAt: number): string[] => ids(recommender.recommend(request(['A'], { now, purchased: new Map([['X', boughtAt]]) }), 10));
    expect(list(now - 1000)).toEqual(['Y']);
    expect(list(now - 4999)).toEqual(['Y']);
    expect(list(now - 5000)).toEqual(['X', 'Y']);
  });

  it("serves a new category's trending items once the session moves to it", () => {
    const { trending, recommender } = setup();
    trending.observe('shoe1', 'shoes', 100, T0);
    trending.observe('shoe2', 'shoes', 90, T0);
    trending.observe('bag1', 'bags', 10, T0);
    trending.observe('bag2', 'bags', 9, T0);
    trending.refresh();
    const session = new SessionState('s', 0, T0);
    const limits = { lastItems: 20, maxEventsPerSession: 100 };
    ['s1', 's2', 's3'].forEach((item, i) => session.apply(event({ ts: T0 + i, item_id: item, category_id: 'shoes' }), limits, 0));
    expect(ids(recommender.recommend(session.request(), 10)).slice(0, 2)).toEqual(['shoe1', 'shoe2']);
    ['b1', 'b2'].forEach((item, i) => session.apply(event({ ts: T0 + 10 + i, item_id: item, category_id: 'bags' }), limits, 0));
    const after = recommender.recommend(session.request(), 10).filter((i) => i.source !== 'history');
    expect(ids(after).slice(0, 2)).toEqual(['bag1', 'bag2']);
    expect(after[0]?.source).toBe('trending_category');
  });

  it('returns at most n distinct items, and nothing when nothing is known', () => {
    const { covisit, trending, recommender } = setup();
    expect(recommender.recommend(request(['A']), 10)).toEqual([]);
    for (let k = 0; k < 15; k += 1) trending.observe(`t${k}`, null, k + 1, T0);
    trending.refresh();
    for (let k = 0; k < 8; k += 1) pair(covisit, 'cur', `n${k}`, k + 1);
    const items = recommender.recommend(request(['cur']), 6);
    expect(items).toHaveLength(6);
    expect(new Set(ids(items)).size).toBe(6);
    expect(items[0]?.item_id).toBe('n7');
  });

  it('learns from what shoppers take: a source that keeps predicting the next item gains weight', () => {
    const { covisit, trending, recommender } = setup();
    pair(covisit, 'A', 'X', 1);
    pair(covisit, 'A', 'Y', 3);
    trending.observe('Y', null, 10, T0);
    trending.refresh();
    // Shoppers always take X, which only co-visitation suggests weakly.
    const before = recommender.ranker.weights.click[F.covisit_last] ?? 0;
    expect(ids(recommender.recommend(request(['A']), 2))).toEqual(['Y', 'X']);
    for (let i = 0; i < 300; i += 1) expect(recommender.learn(request(['A']), 'X', 'click')).not.toBeNull();
    expect(ids(recommender.recommend(request(['A']), 2))).toEqual(['X', 'Y']);
    expect(recommender.ranker.weights.click).toHaveLength(FEATURE_COUNT);
    expect(recommender.ranker.weights.click[F.covisit_last]).not.toBe(before);
    expect(recommender.learn(request(['A']), 'never-a-candidate', 'click')).toBeNull();
  });

  it('follows an instant shift of intent: after 10 events in category A and one in B, the next list is mostly B', () => {
    const { covisit, trending, recommender } = setup();
    const a = Array.from({ length: 12 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 12 }, (_, i) => `b${i}`);
    // Each category's items are viewed together, and A is far more popular overall.
    for (const [items, category, volume] of [[a, 'A', 50], [b, 'B', 5]] as const) {
      items.forEach((item, i) => {
        trending.observe(item, category, volume * (items.length - i), T0);
        for (const other of items) if (other !== item) pair(covisit, item, other, 1 + ((i * 7) % 3));
      });
    }
    trending.refresh();
    const session = new SessionState('s', 0, T0);
    const limits = { lastItems: 20, maxEventsPerSession: 100 };
    a.slice(0, 10).forEach((item, i) => session.apply(event({ ts: T0 + i, item_id: item, category_id: 'A' }), limits, 0));
    session.apply(event({ ts: T0 + 20, item_id: 'b0', category_id: 'B' }), limits, 0);
    const top = recommender.recommend(session.request(), 10);
    const inB = top.filter((item) => item.item_id.startsWith('b')).length;
    expect(inB).toBeGreaterThanOrEqual(6);
  });
});

describe('Recommender impression negatives', () => {
  /** After A, X is co-visited twice as often as Y, yet shoppers shown [X, Y] keep taking Y. */
  function gapAfterSkips(impressionNegatives: boolean): number {
    const { covisit, recommender } = setup({ rankerLoss: 'top-k', rankerFirstPlaceWeight: 0, rankerImpressionNegatives: impressionNegatives });
    pair(covisit, 'A', 'X', 2);
    pair(covisit, 'A', 'Y', 1);
    for (let i = 0; i < 20; i += 1) recommender.learn(request(['A']), 'Y', 'click', ['X', 'Y', 'Z']);
    const scores = new Map(recommender.recommend(request(['A']), 10).map((item) => [item.item_id, item.score]));
    return (scores.get('X') ?? 0) - (scores.get('Y') ?? 0);
  }

  it('steps the taken item against the best-scored item shown above it', () => {
    const without = gapAfterSkips(false);
    const withNegatives = gapAfterSkips(true);
    // Y is already inside the top 20, so the top-k step alone changes nothing; the skipped X teaches.
    expect(without).toBeGreaterThan(0);
    expect(withNegatives).toBeLessThan(without);
  });

  it('learns nothing from a list the taken item was not on, or was first on', () => {
    const a = setup({ rankerLoss: 'top-k', rankerImpressionNegatives: true });
    const b = setup({ rankerLoss: 'top-k', rankerImpressionNegatives: false });
    for (const { covisit, recommender } of [a, b]) {
      pair(covisit, 'A', 'X', 2);
      pair(covisit, 'A', 'Y', 1);
      recommender.learn(request(['A']), 'Y', 'click', ['Y', 'X']);
      recommender.learn(request(['A']), 'Y', 'click', ['X', 'Z']);
    }
    expect([...a.recommender.ranker.weights.click]).toEqual([...b.recommender.ranker.weights.click]);
  });

});

describe('Recommender: search intent', () => {
  it('after a search, leads with what shoppers took after that query and its categories, even in a session with history', () => {
    const sources = {
      covisit: new Covisitation({ neighbours: 10, window: 5, halfLifeMs: NO_DECAY, maxItems: 1000 }),
      knn: new SessionKnn({ k: 10, candidates: 100, maxSessions: 1000, maxItemsPerSession: 50 }),
      trending: new Trending({ halfLifeMs: NO_DECAY, maxItems: 1000, topK: 20 }),
      popularity: new Trending({ halfLifeMs: NO_DECAY, maxItems: 1000, topK: 20 }),
      intent: new QueryIntent({ maxKeys: 100, itemsPerKey: 10, halfLifeMs: NO_DECAY }),
    };
    const recommender = new Recommender(sources, OPTIONS);
    pair(sources.covisit, 'phone', 'case', 3);
    const watch = { text: 'smart watch', ts: T0, steps: 0 };
    for (let i = 0; i < 3; i += 1) sources.intent.observe(watch, 'watch-a', 'watches', 1, T0);
    sources.intent.observe(watch, 'watch-b', 'watches', 1, T0);
    // Another watch nobody took after this query: its category brings it in.
    sources.trending.observe('watch-c', 'watches', 1, T0);
    sources.trending.observe('watch-a', 'watches', 1, T0);
    sources.trending.observe('watch-b', 'watches', 1, T0);
    sources.trending.observe('case', 'cases', 1, T0);
    sources.trending.refresh();
    const before = ids(recommender.recommend(request(['phone']), 10));
    expect(before[0]).toBe('case');
    const after = recommender.recommend(request(['phone'], { query: watch }), 10);
    expect(ids(after).slice(0, 2)).toEqual(['watch-a', 'watch-b']);
    expect(after[0]?.source).toBe('query');
    expect(ids(after).indexOf('watch-c')).toBeLessThan(ids(after).indexOf('case'));
    // An unseen query with a known token still steers the list.
    expect(ids(recommender.recommend(request(['phone'], { query: { text: 'watch strap', ts: T0, steps: 0 } }), 10))[0]).toBe('watch-a');
  });
});

describe('Recommender: cold start', () => {
  const HOUR_MS = 3_600_000;

  function coldSetup(options: Partial<RecommenderOptions> = {}) {
    const dayparts = new DaypartTrending({ dayparts: 6, utcOffsetMinutes: 0, halfLifeMs: NO_DECAY, maxItems: 1000, topK: 20 });
    const newItems = new NewItems({ maxItems: 1000, windowMs: 24 * HOUR_MS, maxInteractions: 3 });
    const base = setup();
    const sources = { covisit: base.covisit, knn: base.knn, trending: base.trending, popularity: base.popularity, dayparts, newItems };
    return { ...sources, recommender: new Recommender(sources, { ...OPTIONS, ...options }) };
  }

  it("offers a fresh session what shoppers take at this time of day, in its category first", () => {
    const { dayparts, recommender } = coldSetup();
    for (let n = 0; n < 5; n += 1) dayparts.observe('croissant', 'bakery', 1, T0 + 8 * HOUR_MS);
    dayparts.observe('baguette', 'bakery', 1, T0 + 9 * HOUR_MS);
    for (let n = 0; n < 9; n += 1) dayparts.observe('coffee', 'drinks', 1, T0 + 8 * HOUR_MS);
    for (let n = 0; n < 7; n += 1) dayparts.observe('wine', 'drinks', 1, T0 + 20 * HOUR_MS);
    dayparts.refresh();
    const tomorrow = T0 + 24 * HOUR_MS;
    const morning = recommender.recommend(request(['bread-1'], { now: tomorrow + 10 * HOUR_MS, categories: new Map([['bakery', 1]]) }), 10);
    expect(ids(morning)[0]).toBe('croissant');
    expect(ids(morning)).toEqual(expect.arrayContaining(['baguette', 'coffee']));
    expect(ids(morning)).not.toContain('wine');
    expect(morning[0]?.source).toBe('daypart');
    const evening = recommender.recommend(request(['bread-1'], { now: tomorrow + 21 * HOUR_MS, categories: new Map([['bakery', 1]]) }), 10);
    expect(ids(evening)).toEqual(['wine']);
  });

  it('keeps the last places of a list for new items of the session\'s category, spread over sessions', () => {
    const { covisit, newItems, recommender } = coldSetup({ exploreShare: 0.2 });
    for (let n = 0; n < 8; n += 1) pair(covisit, 'A', `x${n}`, 8 - n);
    for (let n = 0; n < 6; n += 1) newItems.observe(`new-shoe-${n}`, 'shoes', T0 + n);
    newItems.observe('new-hat', 'hats', T0 + 10);
    const ask = (self: string): FeedItem[] => recommender.recommend(request(['A'], { self, sequenceCategories: ['shoes'], categories: new Map([['shoes', 1]]), now: T0 + HOUR_MS }), 10);
    const list = ask('s-1');
    expect(list).toHaveLength(10);
    // 0.2 × 10: the last two places, after the eight ranked items, each a new shoe.
    expect(ids(list).slice(0, 8)).toEqual(['x0', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7']);
    const explored = list.slice(8);
    expect(explored.map((e) => e.source)).toEqual(['new', 'new']);
    for (const entry of explored) expect(entry.item_id).toMatch(/^new-shoe-/);
    expect(new Set(ids(list)).size).toBe(10);
    // Other sessions start elsewhere in the list of new shoes.
    const shown = new Set(['s-1', 's-2', 's-3', 's-4', 's-5', 's-6'].flatMap((self) => ids(ask(self).slice(8))));
    expect(shown.size).toBeGreaterThan(2);
    // Once a shoe had its interactions it no longer takes a place; once no shoe is new, any new item does.
    for (let n = 0; n < 6; n += 1) for (let k = 0; k < 3; k += 1) newItems.observe(`new-shoe-${n}`, 'shoes', T0 + 100);
    const after = ask('s-1');
    expect(ids(after).at(-1)).toBe('new-hat');
    expect(after.at(-1)?.source).toBe('new');
    expect(ids(after).filter((item) => item.startsWith('new-shoe'))).toEqual([]);
  });

  it('gives no places to exploration at share 0, nor past the new-item window', () => {
    const { covisit, newItems, recommender } = coldSetup({ exploreShare: 0 });
    for (let n = 0; n < 8; n += 1) pair(covisit, 'A', `x${n}`, 8 - n);
    newItems.observe('new-shoe', 'shoes', T0);
    expect(ids(recommender.recommend(request(['A'], { categories: new Map([['shoes', 1]]) }), 10))).not.toContain('new-shoe');
    const exploring = coldSetup({ exploreShare: 0.2 });
    for (let n = 0; n < 8; n += 1) pair(exploring.covisit, 'A', `x${n}`, 8 - n);
    exploring.newItems.observe('new-shoe', 'shoes', T0);
    expect(ids(exploring.recommender.recommend(request(['A'], { now: T0 + HOUR_MS }), 10))).toContain('new-shoe');
    expect(ids(exploring.recommender.recommend(request(['A'], { now: T0 + 25 * HOUR_MS }), 10))).not.toContain('new-shoe');
  });

  it('lets what shoppers buy with a just-carted item lead the list (cross-sell), over the items viewed with it', () => {
    const sources = setup();
    const coPurchases = new CoPurchases({ maxItems: 1000, maxPartners: 10, maxSessions: 1000, supportCap: 20 });
    // Browsers compare phones (co-visitation: other phones); buyers of phone1 also buy its case and a charger.
    for (const other of ['phone2', 'phone3', 'phone4']) pair(sources.covisit, 'phone1', other, 5);
    for (let s = 0; s < 4; s += 1) for (const item of ['phone1', 'case1', 'charger']) coPurchases.observe(`b${s}`, item);
    coPurchases.observe('b9', 'phone1');
    coPurchases.observe('b9', 'charger');
    const recommender = new Recommender({ ...sources, coPurchases }, OPTIONS);
    const carted = request(['phone1'], { basket: [{ item: 'phone1', steps: 0 }] });
    const items = recommender.recommend(carted, 5);
    expect(ids(items).slice(0, 2)).toEqual(['charger', 'case1']);
    expect(items[0]?.source).toBe('cross_sell');
    // Without a basket (only viewed), the phones compared with it lead.
    expect(ids(recommender.recommend(request(['phone1']), 3))).toEqual(['phone2', 'phone3', 'phone4']);
    // A few views later the complements have stepped back behind what the session now looks at.
    const later = request(['phone1', 'phone2', 'phone3', 'phone4'], { basket: [{ item: 'phone1', steps: 5 }] });
    expect(ids(recommender.recommend(later, 1))).not.toEqual(['charger']);
  });

  it('brings a rater the items the rating model predicts they rate highest (source cf), and nobody else', () => {
    const sources = setup();
    const ratings = new RatingModel({ dim: 0, learningRate: 0.05, factorLearningRate: 0.1, regularization: 0, maxUsers: 100, maxItems: 100 });
    for (let u = 0; u < 10; u += 1) {
      ratings.observe(`u${u}`, 'classic', 5);
      ratings.observe(`u${u}`, 'flop', 1);
    }
    ratings.observe('critic', 'seen', 3);
    const recommender = new Recommender({ ...sources, ratings }, OPTIONS);
    const items = recommender.recommend(request([], { user: 'critic' }), 2);
    expect(items[0]).toMatchObject({ item_id: 'classic', source: 'cf' });
    expect(ids(items)).not.toContain('flop');
    // The session itself is the rater when the shopper is anonymous; an unknown rater gets nothing from it.
    expect(ids(recommender.recommend(request([], { self: 'critic' }), 3))[0]).toBe('classic');
    expect(recommender.recommend(request([], { user: 'stranger' }), 3)).toEqual([]);
  });
});
