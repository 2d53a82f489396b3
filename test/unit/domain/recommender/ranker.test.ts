import { describe, expect, it } from 'vitest';
import { F, FEATURE_COUNT } from '../../../../src/domain/recommender/features.ts';
import { Ranker } from '../../../../src/domain/recommender/ranker.ts';

/** Candidate rows with one feature set each: `values[i]` on feature `feature`. */
function rows(feature: number, values: readonly number[]): Float64Array {
  const x = new Float64Array(values.length * FEATURE_COUNT);
  values.forEach((v, i) => {
    x[i * FEATURE_COUNT + F.bias] = 1;
    x[i * FEATURE_COUNT + feature] = v;
  });
  return x;
}

function rank(ranker: Ranker, x: Float64Array, count: number, index: number): number {
  const out = new Float64Array(count);
  ranker.score(x, count, out);
  return [...out.keys()].sort((a, b) => (out[b] ?? 0) - (out[a] ?? 0)).indexOf(index);
}

describe('Ranker', () => {
  it('top-k: lifts an item taken from below the k-th place into the top k, and leaves hits alone', () => {
    const ranker = new Ranker({ learningRate: 0.5, loss: 'top-k', k: 2, firstPlaceWeight: 0, purchaseWeight: 0 });
    // The taken item (index 3) is only visible through the co-visitation feature; kNN favours 0..2.
    const x = new Float64Array(4 * FEATURE_COUNT);
    for (let i = 0; i < 3; i += 1) x[i * FEATURE_COUNT + F.session_knn] = 1 - i * 0.1;
    x[3 * FEATURE_COUNT + F.covisit_recent] = 1;
    expect(rank(ranker, x, 4, 3)).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < 100; i += 1) ranker.learn('click', x, 4, 3);
    expect(rank(ranker, x, 4, 3)).toBeLessThan(2);
    const before = Float64Array.from(ranker.weights.click);
    const updates = ranker.updates;
    expect(ranker.learn('click', x, 4, 3)).toBe(0);
    expect(ranker.updates).toBe(updates);
    expect(ranker.weights.click).toEqual(before);
  });

  it('listwise: raises the probability of the taken item', () => {
    const ranker = new Ranker({ learningRate: 0.5, loss: 'listwise', k: 20, firstPlaceWeight: 0, purchaseWeight: 0.5 });
    const x = rows(F.popularity, [1, 0.5, 0.2]);
    const first = ranker.learn('click', x, 3, 2) ?? Number.NaN;
    let last = first;
    for (let i = 0; i < 30; i += 1) last = ranker.learn('click', x, 3, 2) ?? Number.NaN;
    expect(last).toBeLessThan(first);
  });

  it('refuses a non-finite step without touching the weights, for both losses', () => {
    for (const loss of ['top-k', 'listwise'] as const) {
      const ranker = new Ranker({ learningRate: 0.5, loss, k: 1, firstPlaceWeight: 0, purchaseWeight: 0.5 });
      const x = rows(F.covisit_recent, [1, 0]);
      x[1 * FEATURE_COUNT + F.session_knn] = Number.NaN;
      const before = Float64Array.from(ranker.weights.click);
      expect(ranker.learn('click', x, 2, 1)).toBeNull();
      expect(ranker.weights.click).toEqual(before);
    }
  });

  it('keeps the heads apart: purchases train only the purchase head, and it counts by purchaseWeight', () => {
    const ranker = new Ranker({ learningRate: 0.5, loss: 'top-k', k: 1, firstPlaceWeight: 0, purchaseWeight: 2 });
    const x = rows(F.trending, [0, 1]);
    const click = Float64Array.from(ranker.weights.click);
    for (let i = 0; i < 20; i += 1) ranker.learn('purchase', x, 2, 0);
    expect(ranker.weights.click).toEqual(click);
    expect(ranker.weights.purchase[F.trending]).toBeLessThan(click[F.trending] ?? 0);
    const out = new Float64Array(2);
    ranker.score(x, 2, out);
    const expected = (row: number): number => {
      let c = 0;
      let p = 0;
      for (let f = 0; f < FEATURE_COUNT; f += 1) {
        c += (ranker.weights.click[f] ?? 0) * (x[row * FEATURE_COUNT + f] ?? 0);
        p += (ranker.weights.purchase[f] ?? 0) * (x[row * FEATURE_COUNT + f] ?? 0);
      }
      return c + 2 * p;
    };
    expect(out[0]).toBeCloseTo(expected(0), 12);
    expect(out[1]).toBeCloseTo(expected(1), 12);
  });
});
