import { F, FEATURE_COUNT } from './features.ts';

/** One head's cross weights in a checkpoint: the upper triangle (i < j) of the feature pairs, row by row. */
export interface CrossesSnapshot {
  readonly features: number;
  readonly weights: readonly number[];
  readonly squared: readonly number[];
}

/** Index of pair (i, j), i < j, in the upper triangle of FEATURE_COUNT features. */
function pairIndex(i: number, j: number): number {
  return (i * (2 * FEATURE_COUNT - i - 1)) / 2 + (j - i - 1);
}

export const PAIR_COUNT = (FEATURE_COUNT * (FEATURE_COUNT - 1)) / 2;

/**
 * Pairwise feature crosses added to a linear head: the head scores w·x + Σ_{i<j} c_ij·x_i·x_j. Still
 * linear in its weights, so the top-k objective stays convex and Adagrad steady, yet a source's weight
 * can depend on the request (a cross with a request feature) or on another source's agreement. The
 * crosses start at zero: a fresh head ranks as its linear priors do. Rows are sparse, so only pairs of
 * non-zero features are visited.
 */
export class PairwiseCrosses {
  readonly weights = new Float64Array(PAIR_COUNT);
  private readonly squared = new Float64Array(PAIR_COUNT).fill(1);
  private readonly gradient = new Float64Array(PAIR_COUNT);
  private readonly nonZero = new Int32Array(FEATURE_COUNT);

  private gather(x: Float64Array, base: number): number {
    let nnz = 0;
    // The bias is left out: its crosses would only duplicate the linear weights.
    for (let f = 0; f < FEATURE_COUNT; f += 1) if (f !== F.bias && (x[base + f] ?? 0) !== 0) this.nonZero[nnz++] = f;
    return nnz;
  }

  /** Adds Σ c_ij·x_i·x_j of rows 0..count−1 to `out`. */
  forwardAll(x: Float64Array, count: number, out: Float64Array): void {
    for (let i = 0; i < count; i += 1) out[i] = (out[i] ?? 0) + this.forward(x, i);
  }

  private forward(x: Float64Array, row: number): number {
    const base = row * FEATURE_COUNT;
    const nnz = this.gather(x, base);
    let out = 0;
    for (let a = 0; a < nnz; a += 1) {
      const i = this.nonZero[a] ?? 0;
      const xi = x[base + i] ?? 0;
      for (let b = a + 1; b < nnz; b += 1) {
        const j = this.nonZero[b] ?? 0;
        out += (this.weights[pairIndex(i, j)] ?? 0) * xi * (x[base + j] ?? 0);
      }
    }
    return out;
  }

  /** Adds `coefficient` times the gradient of row `row`'s output to the pending step. */
  accumulate(x: Float64Array, row: number, coefficient: number): void {
    const base = row * FEATURE_COUNT;
    const nnz = this.gather(x, base);
    for (let a = 0; a < nnz; a += 1) {
      const i = this.nonZero[a] ?? 0;
      const xi = coefficient * (x[base + i] ?? 0);
      for (let b = a + 1; b < nnz; b += 1) {
        const j = this.nonZero[b] ?? 0;
        const p = pairIndex(i, j);
        this.gradient[p] = (this.gradient[p] ?? 0) + xi * (x[base + j] ?? 0);
      }
    }
  }

  /** `accumulate` of every row 0..count−1 with its coefficient. */
  accumulateAll(x: Float64Array, count: number, coefficients: Float64Array): void {
    for (let i = 0; i < count; i += 1) {
      const c = coefficients[i] ?? 0;
      if (c !== 0) this.accumulate(x, i, c);
    }
  }

  pendingFinite(): boolean {
    return this.gradient.every(Number.isFinite);
  }

  /** Applies the pending step with Adagrad (or drops it) and clears it. */
  step(learningRate: number, apply: boolean): void {
    if (apply) {
      for (let p = 0; p < PAIR_COUNT; p += 1) {
        const g = this.gradient[p] ?? 0;
        if (g === 0) continue;
        const s = (this.squared[p] ?? 1) + g * g;
        this.squared[p] = s;
        this.weights[p] = (this.weights[p] ?? 0) - (learningRate * g) / Math.sqrt(s);
      }
    }
    this.gradient.fill(0);
  }

  snapshot(): CrossesSnapshot {
    return { features: FEATURE_COUNT, weights: [...this.weights], squared: [...this.squared] };
  }

  fits(snapshot: CrossesSnapshot): boolean {
    return snapshot.features === FEATURE_COUNT && snapshot.weights.length === PAIR_COUNT && snapshot.squared.length === PAIR_COUNT;
  }

  restore(snapshot: CrossesSnapshot): void {
    this.weights.set(snapshot.weights);
    this.squared.set(snapshot.squared);
  }
}
