import { describe, expect, it } from 'vitest';
import { F, FEATURE_COUNT } from '../../../../src/domain/recommender/features.ts';
import { HIDDEN_WARMUP, Ranker, bestOthers, type RankerSnapshot } from '../../../../src/domain/recommender/ranker.ts';

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
    const ranker = new Ranker({ learningRate: 0.5, loss: 'top-k', k: 2, firstPlaceWeight: 0, purchaseWeight: 0, hiddenUnits: 0, crosses: false });
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
    const ranker = new Ranker({ learningRate: 0.5, loss: 'listwise', k: 20, firstPlaceWeight: 0, purchaseWeight: 0.5, hiddenUnits: 0, crosses: false });
    const x = rows(F.popularity, [1, 0.5, 0.2]);
    const first = ranker.learn('click', x, 3, 2) ?? Number.NaN;
    let last = first;
    for (let i = 0; i < 30; i += 1) last = ranker.learn('click', x, 3, 2) ?? Number.NaN;
    expect(last).toBeLessThan(first);
  });

  it('refuses a non-finite step without touching the weights, for both losses', () => {
    for (const loss of ['top-k', 'listwise'] as const) {
      const ranker = new Ranker({ learningRate: 0.5, loss, k: 1, firstPlaceWeight: 0, purchaseWeight: 0.5, hiddenUnits: 0, crosses: false });
      const x = rows(F.covisit_recent, [1, 0]);
      x[1 * FEATURE_COUNT + F.session_knn] = Number.NaN;
      const before = Float64Array.from(ranker.weights.click);
      expect(ranker.learn('click', x, 2, 1)).toBeNull();
      expect(ranker.weights.click).toEqual(before);
    }
  });

  it('keeps the heads apart: purchases train only the purchase head, and it counts by purchaseWeight', () => {
    const ranker = new Ranker({ learningRate: 0.5, loss: 'top-k', k: 1, firstPlaceWeight: 0, purchaseWeight: 2, hiddenUnits: 0, crosses: false });
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

describe('Ranker with a hidden layer or pairwise crosses', () => {
  const options = { learningRate: 0.5, loss: 'top-k', k: 1, firstPlaceWeight: 0, purchaseWeight: 0.5, crosses: false } as const;

  /** Three candidates on two features: none, both, and one of them (`which`), the one taken. */
  function xorRequest(which: number): Float64Array {
    const x = new Float64Array(3 * FEATURE_COUNT);
    for (let i = 0; i < 3; i += 1) x[i * FEATURE_COUNT + F.bias] = 1;
    x[1 * FEATURE_COUNT + F.trending] = 1;
    x[1 * FEATURE_COUNT + F.popularity] = 1;
    x[2 * FEATURE_COUNT + which] = 1;
    return x;
  }

  function trained(hiddenUnits: number, crosses = false): Ranker {
    const ranker = new Ranker({ ...options, hiddenUnits, crosses });
    for (let i = 0; i < 400; i += 1) ranker.learn('click', xorRequest(i % 2 === 0 ? F.trending : F.popularity), 3, 2);
    return ranker;
  }

  it('starts exactly where the linear ranker starts', () => {
    const x = rows(F.session_knn, [1, 0.5, 0.2]);
    const linear = new Float64Array(3);
    const hidden = new Float64Array(3);
    new Ranker({ ...options, hiddenUnits: 0, crosses: false }).score(x, 3, linear);
    new Ranker({ ...options, hiddenUnits: 16 }).score(x, 3, hidden);
    expect(hidden).toEqual(linear);
    new Ranker({ ...options, hiddenUnits: 16, crosses: true }).score(x, 3, hidden);
    expect(hidden).toEqual(linear);
  });

  it('draws the hidden units\' start from candidates.rankerSeed, seed 0 being the start of earlier releases', () => {
    const start = (seed?: number): unknown => new Ranker({ ...options, hiddenUnits: 8, crosses: false, ...(seed === undefined ? {} : { seed }) }).snapshot().hidden;
    expect(start(0)).toEqual(start());
    expect(start(1)).not.toEqual(start(0));
    expect(start(1)).toEqual(start(1));
  });

  it('lets the hidden layer grow in over its first updates (hiddenWarmup), then steps at the full rate', () => {
    const outputAfter = (steps: number, hiddenWarmup?: number): number => {
      const ranker = new Ranker({ ...options, loss: 'listwise', hiddenUnits: 8, crosses: false, ...(hiddenWarmup === undefined ? {} : { hiddenWarmup }) });
      for (let i = 0; i < steps; i += 1) ranker.learn('click', xorRequest(i % 2 === 0 ? F.trending : F.popularity), 3, 2);
      return (ranker.snapshot().hidden?.click.output ?? []).reduce((sum, v) => sum + Math.abs(v), 0);
    };
    // The very first update takes no hidden step at all; ten take a hundredth-scale step on average.
    expect(outputAfter(1)).toBe(0);
    expect(outputAfter(1, 0)).toBeGreaterThan(0);
    expect(outputAfter(10)).toBeLessThan(outputAfter(10, 0) / 10);
    // Past the warm-up (HIDDEN_WARMUP updates) the layer has grown in and learns the exclusive-or.
    expect(outputAfter(3 * HIDDEN_WARMUP)).toBeGreaterThan(outputAfter(10));
  });

  it('learns an exclusive-or of two features, which the linear ranker cannot', () => {
    // Either feature alone marks the taken item; both together mark one never taken: no linear score
    // puts the single-feature item first in both kinds of request.
    const first = (ranker: Ranker): boolean =>
      [F.trending, F.popularity].every((which) => rank(ranker, xorRequest(which), 3, 2) === 0);
    expect(first(trained(0))).toBe(false);
    expect(first(trained(16))).toBe(true);
    expect(first(trained(0, true))).toBe(true);
  });

  it('scores a row the same in any pool (request-wide columns are folded in once per pool)', () => {
    const ranker = trained(8, true);
    const x = xorRequest(F.trending);
    for (let i = 0; i < 3; i += 1) x[i * FEATURE_COUNT + F.context_length] = 0.5;
    const together = new Float64Array(3);
    ranker.score(x, 3, together);
    for (let i = 0; i < 3; i += 1) {
      const alone = new Float64Array(1);
      ranker.score(x.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT), 1, alone);
      expect(alone[0]).toBeCloseTo(together[i] ?? Number.NaN, 12);
    }
  });

  it('round-trips a checkpoint exactly, through JSON, and goes on learning the same way', () => {
    const ranker = trained(8, true);
    const copy = new Ranker({ ...options, hiddenUnits: 8, crosses: true });
    expect(copy.restore(JSON.parse(JSON.stringify(ranker.snapshot())) as RankerSnapshot)).toBe(true);
    expect(copy.snapshot()).toEqual(ranker.snapshot());
    const x = xorRequest(F.trending);
    ranker.learn('click', x, 3, 0);
    copy.learn('click', x, 3, 0);
    const a = new Float64Array(3);
    const b = new Float64Array(3);
    ranker.score(x, 3, a);
    copy.score(x, 3, b);
    expect(b).toEqual(a);
  });

  it('refuses, untouched, a checkpoint of another shape: linear, hidden, crosses, or another width', () => {
    const hidden = trained(8).snapshot();
    const linear = trained(0).snapshot();
    const crossed = trained(0, true).snapshot();
    const cases: [number, boolean, RankerSnapshot][] = [
      [0, false, hidden],
      [8, false, linear],
      [4, false, hidden],
      [0, false, crossed],
      [0, true, linear],
      [8, true, hidden],
    ];
    for (const [units, crosses, snapshot] of cases) {
      const ranker = new Ranker({ ...options, hiddenUnits: units, crosses });
      const before = ranker.snapshot();
      expect(ranker.restore(snapshot)).toBe(false);
      expect(ranker.snapshot()).toEqual(before);
    }
  });

  it('refuses a non-finite step without touching any weight', () => {
    const ranker = trained(8, true);
    const x = xorRequest(F.trending);
    x[2 * FEATURE_COUNT + F.session_knn] = Number.NaN;
    const before = ranker.snapshot();
    expect(ranker.learn('click', x, 3, 2)).toBeNull();
    x[0 * FEATURE_COUNT + F.session_knn] = Number.NaN;
    expect(ranker.learn('click', x, 3, 0)).toBeNull();
    const after = ranker.snapshot();
    expect(after.hidden).toEqual(before.hidden);
    expect(after.crosses).toEqual(before.crosses);
    expect(after.weights).toEqual(before.weights);
  });
});

describe('bestOthers', () => {
  it('matches a stable sort of every other row, truncated to k, ties in row order', () => {
    const logits = Float64Array.from([3, 1, 3, 2, 5, 1, 3, 0, 2]);
    const sorted = [...logits.keys()].filter((i) => i !== 4).sort((a, b) => (logits[b] ?? 0) - (logits[a] ?? 0));
    for (const k of [1, 2, 3, 5, 8, 20]) expect(bestOthers(logits, logits.length, 4, k)).toEqual(sorted.slice(0, k));
    expect(bestOthers(logits, 1, 0, 3)).toEqual([]);
  });
});
