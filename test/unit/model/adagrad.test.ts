import { describe, expect, it } from 'vitest';
import { applyHalfRows } from '../../../src/model/adagrad.ts';
import { HALF, toHalf } from '../../../src/model/half.ts';
import { SparseGrad } from '../../../src/model/sparse-grad.ts';

const DIM = 8;

/** A one-row table at `start`, its accumulator already large, so each step is far below the half spacing. */
function setup(start: number): { table: Uint16Array; acc: Float32Array; grad: SparseGrad } {
  const table = new Uint16Array(DIM).fill(toHalf(start));
  const acc = new Float32Array(1).fill(1e6);
  const grad = new SparseGrad(DIM, 1);
  const slot = grad.slot(0);
  grad.values.fill(1, slot * DIM, (slot + 1) * DIM);
  return { table, acc, grad };
}

describe('applyHalfRows', () => {
  it('keeps steps smaller than the half spacing on average instead of rounding them away', () => {
    const { table, acc, grad } = setup(0.5);
    // Each step is 0.05 / sqrt(1e6) = 5e-5, a fifth of the spacing of halves just below 0.5 (2.4e-4).
    for (let step = 0; step < 2000; step += 1) expect(applyHalfRows(table, acc, grad, 0.05, 1e9, step)).toBe(true);
    const mean = Array.from(table, (h) => HALF[h] ?? 0).reduce((a, b) => a + b, 0) / DIM;
    // Accumulator growth slows the steps slightly: the exact float path ends near 0.5 − 2000·5e-5 = 0.4.
    expect(mean).toBeGreaterThan(0.39);
    expect(mean).toBeLessThan(0.415);
  });

  it('is reproducible: the same step and row round the same way', () => {
    const a = setup(0.3);
    const b = setup(0.3);
    for (let step = 0; step < 50; step += 1) {
      applyHalfRows(a.table, a.acc, a.grad, 0.05, 1e9, step);
      applyHalfRows(b.table, b.acc, b.grad, 0.05, 1e9, step);
    }
    expect(Array.from(a.table)).toEqual(Array.from(b.table));
  });

  it('reports a weight pushed beyond the half range as not finite', () => {
    const { table, grad } = setup(60000);
    expect(applyHalfRows(table, new Float32Array(1), grad, -1e5, 1e9, 0)).toBe(false);
  });
});
