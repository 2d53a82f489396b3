import { describe, expect, it } from 'vitest';
import { F, FEATURE_COUNT } from '../../../../src/domain/recommender/features.ts';
import { HiddenLayer } from '../../../../src/domain/recommender/hidden-layer.ts';
import { mulberry32 } from '../../../../src/domain/random.ts';

/** A pool of `count` sparse rows: the bias and a request feature on every row, two random features per row. */
function pool(count: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const x = new Float64Array(count * FEATURE_COUNT);
  for (let i = 0; i < count; i += 1) {
    x[i * FEATURE_COUNT + F.bias] = 1;
    x[i * FEATURE_COUNT + F.context_length] = 0.25;
    for (let n = 0; n < 2; n += 1) x[i * FEATURE_COUNT + 1 + Math.floor(random() * (FEATURE_COUNT - 4))] = random();
  }
  return x;
}

function expectSame(a: HiddenLayer, b: HiddenLayer): void {
  const left = a.snapshot();
  const right = b.snapshot();
  left.input.forEach((v, i) => expect(v).toBeCloseTo(right.input[i] ?? Number.NaN, 12));
  left.output.forEach((v, i) => expect(v).toBeCloseTo(right.output[i] ?? Number.NaN, 12));
}

describe('HiddenLayer.accumulateAll', () => {
  it('steps exactly as accumulating every row on its own, before and after the layer is live', () => {
    const count = 40;
    const perRow = new HiddenLayer(8, 7);
    const together = new HiddenLayer(8, 7);
    let changed = 0;
    for (let round = 0; round < 4; round += 1) {
      const x = pool(count, round + 1);
      const random = mulberry32(100 + round);
      // Some rows carry no coefficient (a softmax that underflowed): they must add nothing.
      const coefficients = Float64Array.from({ length: count }, (_, i) => (i % 7 === 3 ? 0 : random() - 0.5));
      for (let i = 0; i < count; i += 1) perRow.accumulate(x, i, coefficients[i] ?? 0);
      together.accumulateAll(x, count, coefficients);
      const before = together.snapshot();
      perRow.step(0.1, true);
      together.step(0.1, true);
      expectSame(perRow, together);
      if (together.snapshot().input.some((v, i) => v !== before.input[i])) changed += 1;
    }
    // The first step only moves the output weights (the input gradient needs them non-zero); later ones move both.
    expect(changed).toBe(3);
  });
});
