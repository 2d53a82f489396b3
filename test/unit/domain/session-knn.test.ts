import { describe, expect, it } from 'vitest';
import { bestScored, SessionKnn } from '../../../src/domain/session-knn.ts';
import { mulberry32 } from '../../../src/domain/random.ts';

const knn = (overrides: Partial<ConstructorParameters<typeof SessionKnn>[0]> = {}): SessionKnn =>
  new SessionKnn({ k: 10, candidates: 100, maxSessions: 100, maxItemsPerSession: 50, ...overrides });

function session(store: SessionKnn, key: string, items: string[]): void {
  for (const item of items) store.observe(key, item);
}

describe('SessionKnn (V-SKNN)', () => {
  it('weights shared items by their position in the context: sharing the newest item counts most', () => {
    const store = knn();
    session(store, 'old-match', ['A', 'X']); // shares A (oldest context item)
    session(store, 'new-match', ['C', 'Y']); // shares C (newest context item)
    const scores = Object.fromEntries(store.recommend(['A', 'B', 'C'], 10).map((s) => [s.item, s.score]));
    // weight(p) = 1 − 0.1·(L − p): A at p=1 → 0.8 with step 3; C at p=3 → 1 with step 1.
    expect(scores['Y']).toBeCloseTo(1, 12);
    expect(scores['X']).toBeCloseTo(0.8 / 3, 12);
  });

  it('scores items by the summed similarity of the neighbours holding them, top-k neighbours only', () => {
    const store = knn({ k: 2 });
    session(store, 's1', ['A', 'B', 'K']);
    session(store, 's2', ['A', 'B', 'K']);
    session(store, 's3', ['A', 'Z']);
    const top = store.recommend(['A', 'B'], 10);
    expect(top[0]?.item).toMatch(/^[ABK]$/);
    expect(top.map((s) => s.item)).not.toContain('Z');
  });

  it('compares only the most recent candidate sessions and never the session itself', () => {
    const store = knn({ candidates: 1 });
    session(store, 'older', ['A', 'OLD']);
    session(store, 'newer', ['A', 'NEW']);
    expect(store.recommend(['A'], 10).map((s) => s.item).sort()).toEqual(['A', 'NEW']);
    session(store, 'me', ['A', 'MINE']);
    expect(store.recommend(['A'], 10, 'me').map((s) => s.item)).not.toContain('MINE');
  });

  it('forgets the oldest sessions beyond capacity and keeps each session to its newest items', () => {
    const store = knn({ maxSessions: 2, maxItemsPerSession: 2 });
    session(store, 's1', ['A', 'ONE']);
    session(store, 's2', ['A', 'TWO']);
    session(store, 's3', ['A', 'THREE']);
    expect(store.size).toBe(2);
    expect(store.recommend(['A'], 10).map((s) => s.item)).not.toContain('ONE');
    session(store, 's4', ['X', 'Y', 'Z']);
    expect(store.recommend(['X'], 10)).toEqual([]);
    expect(store.recommend(['Y'], 10).map((s) => s.item).sort()).toEqual(['Y', 'Z']);
  });

  it('never scores a forgotten session, even when its key comes back with other items, nor after a checkpoint', () => {
    const store = knn();
    session(store, 's1', ['A', 'OLD']);
    session(store, 's2', ['A', 'KEPT']);
    expect(store.forget('s1')).toBe(true);
    expect(store.forget('s1')).toBe(false);
    session(store, 's1', ['A', 'NEW']);
    const items = (s: SessionKnn): string[] => s.recommend(['A'], 10).map((entry) => entry.item).sort();
    expect(items(store)).toEqual(['A', 'KEPT', 'NEW']);
    const restored = knn();
    restored.restore(JSON.parse(JSON.stringify(store.snapshot())));
    expect(items(restored)).toEqual(['A', 'KEPT', 'NEW']);
    // Each neighbour counts once, however many context items it shares.
    expect(restored.recommend(['A', 'KEPT'], 10).find((entry) => entry.item === 'KEPT')?.score).toBe(store.recommend(['A', 'KEPT'], 10).find((entry) => entry.item === 'KEPT')?.score);
  });

  it('returns nothing for an empty or unknown context', () => {
    const store = knn();
    session(store, 's1', ['A', 'B']);
    expect(store.recommend([], 10)).toEqual([]);
    expect(store.recommend(['nope'], 10)).toEqual([]);
  });

  it('vstan: items right around the newest shared item of a neighbour count most, the rest decay with distance', () => {
    const store = knn();
    session(store, 's1', ['FAR', 'A', 'NEXT', 'LATER']);
    session(store, 's2', ['B', 'C']); // only there so that every item has an IDF of ln(2)
    const vsknn = Object.fromEntries(store.recommend(['A'], 10).map((s) => [s.item, s.score]));
    const vstan = Object.fromEntries(store.recommend(['A'], 10, undefined, 'vstan').map((s) => [s.item, s.score]));
    // V-SKNN gives every item of the neighbour the same score.
    expect(vsknn['NEXT']).toBeCloseTo(vsknn['LATER'] ?? 0, 12);
    // vstan: similarity (1 + 0.3·idf(A)), item weight exp(−d/3), item IDF boost (1 + 0.1·idf).
    const idf = Math.log(2);
    const similarity = 1 + 0.3 * idf;
    const boost = 1 + 0.1 * idf;
    expect(store.idf('A')).toBeCloseTo(idf, 12);
    expect(vstan['A']).toBeCloseTo(similarity * boost, 12);
    expect(vstan['NEXT']).toBeCloseTo(similarity * Math.exp(-1 / 3) * boost, 12);
    expect(vstan['FAR']).toBeCloseTo(similarity * Math.exp(-1 / 3) * boost, 12);
    expect(vstan['LATER']).toBeCloseTo(similarity * Math.exp(-2 / 3) * boost, 12);
  });

  it('vstan: sharing a rare item makes a closer neighbour than sharing a common one', () => {
    const store = knn();
    for (let s = 0; s < 5; s += 1) session(store, `common-${s}`, ['COMMON', `filler-${s}`]);
    session(store, 'rare', ['RARE', 'R_NEXT']);
    session(store, 'common', ['COMMON', 'C_NEXT']);
    const ratio = (variant: 'v-sknn' | 'vstan'): number => {
      const scores = Object.fromEntries(store.recommend(['RARE', 'COMMON'], 20, undefined, variant).map((s) => [s.item, s.score]));
      return (scores['R_NEXT'] ?? 0) / (scores['C_NEXT'] ?? 1);
    };
    expect(store.idf('RARE')).toBeGreaterThan(store.idf('COMMON'));
    expect(store.idf('unknown')).toBe(0);
    expect(ratio('vstan')).toBeGreaterThan(ratio('v-sknn') * 1.2);
  });
});

describe('SessionKnn (vstan) best n', () => {
  it('gives the first n of the full ranking: the items whose IDF it skips could never have made the n best', () => {
    const random = mulberry32(5);
    const store = knn({ k: 50, candidates: 500, maxSessions: 2000 });
    // Skewed item ids, so IDF varies a lot between items.
    const itemOf = (): string => `i${Math.floor(random() ** 3 * 400)}`;
    for (let s = 0; s < 600; s += 1) session(store, `s${s}`, Array.from({ length: 2 + Math.floor(random() * 8) }, itemOf));
    for (let q = 0; q < 40; q += 1) {
      const context = Array.from({ length: 1 + Math.floor(random() * 4) }, itemOf);
      const full = store.recommend(context, 100_000, undefined, 'vstan');
      for (const n of [1, 5, 20]) expect(store.recommend(context, n, undefined, 'vstan')).toEqual(full.slice(0, n));
    }
  });
});

describe('bestScored', () => {
  it('gives what sorting every item (score, then id) and keeping n gives, ties included', () => {
    const random = mulberry32(11);
    for (let round = 0; round < 50; round += 1) {
      // Scores on a coarse grid, so many tie and the id decides.
      const scored = Array.from({ length: 1 + Math.floor(random() * 300) }, (_, i) => ({ item: `i${Math.floor(random() * 1e6)}-${i}`, score: Math.floor(random() * 20) / 4 }));
      const n = Math.floor(random() * 120);
      const sorted = [...scored].sort((a, b) => b.score - a.score || (a.item < b.item ? -1 : 1)).slice(0, n);
      expect(bestScored([...scored], n)).toEqual(sorted);
    }
  });
});
