import { HALF, toHalf } from './half.ts';
import type { SparseGrad } from './sparse-grad.ts';

// Adagrad with no initial accumulator: the first step of a row is ~lr per coordinate whatever the
// gradient scale, so rare items move as soon as they are seen, and frequent ones slow down on their own
// (the decaying per-row rate one online pass needs).
const EPSILON = 1e-12;

/** True when no value of `array[0..length)` is NaN or ±Infinity. */
export function allFinite(array: Float32Array, length = array.length): boolean {
  for (let i = 0; i < length; i += 1) {
    const v = array[i] ?? 0;
    // v − v is 0 for every finite v and NaN for NaN and ±Infinity: one branch instead of a call.
    if (v - v !== 0) return false;
  }
  return true;
}

function clipFactor(squaredNorm: number, clipNorm: number): number {
  return squaredNorm > clipNorm * clipNorm ? clipNorm / Math.sqrt(squaredNorm) : 1;
}

/**
 * Row-wise Adagrad on the touched rows of a half-precision `table` (one accumulator per row, fed with
 * the mean squared gradient), each row's gradient clipped to `clipNorm`; false if a written value is not
 * finite. Each written weight is rounded stochastically: an Adagrad step
 * is often smaller than the spacing of halves near the weight (1/2048 of it), and rounding to nearest
 * would drop it every time. The random carries come from a generator seeded by (`step`, row), so an
 * update is reproducible, as a restored snapshot's further training must be.
 */
export function applyHalfRows(table: Uint16Array, acc: Float32Array, grad: SparseGrad, lr: number, clipNorm: number, step: number): boolean {
  const d = grad.dim;
  const values = grad.values;
  const decode = HALF;
  let finite = true;
  for (let slot = 0; slot < grad.count; slot += 1) {
    const row = grad.rows[slot] ?? 0;
    const vo = slot * d;
    let squared = 0;
    for (let c = 0; c < d; c += 1) {
      const g = values[vo + c] ?? 0;
      squared += g * g;
    }
    const scale = clipFactor(squared, clipNorm);
    const rowAcc = (acc[row] ?? 0) + (squared * scale * scale) / d;
    acc[row] = rowAcc;
    const rate = (lr * scale) / Math.sqrt(rowAcc + EPSILON);
    const base = row * d;
    let state = (Math.imul(step + 1, 0x9e3779b1) ^ Math.imul(row + 1, 0x85ebca6b)) >>> 0 || 1;
    for (let c = 0; c < d; c += 1) {
      const next = (decode[table[base + c] ?? 0] ?? 0) - rate * (values[vo + c] ?? 0);
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const half = toHalf(next, (state >>> 0) / 4294967296);
      table[base + c] = half;
      // Non-finite, or beyond the half range (written as infinity).
      if ((half & 0x7c00) === 0x7c00) finite = false;
    }
    if (rowAcc - rowAcc !== 0) finite = false;
  }
  return finite;
}

/** Element-wise Adagrad on the scalar (bias) gradients of the touched rows. */
export function applyScalars(bias: Float32Array, acc: Float32Array, grad: SparseGrad, lr: number, clipNorm: number): boolean {
  let finite = true;
  for (let slot = 0; slot < grad.count; slot += 1) {
    const row = grad.rows[slot] ?? 0;
    const raw = grad.scalars[slot] ?? 0;
    const g = Math.max(-clipNorm, Math.min(clipNorm, raw));
    const rowAcc = (acc[row] ?? 0) + g * g;
    acc[row] = rowAcc;
    const next = (bias[row] ?? 0) - (lr * g) / Math.sqrt(rowAcc + EPSILON);
    bias[row] = next;
    if (next - next !== 0 || raw - raw !== 0) finite = false;
  }
  return finite;
}

/** Element-wise Adagrad on `dense[from..to)`, the gradient clipped to `clipNorm` as one matrix. */
export function applyDense(dense: Float32Array, acc: Float32Array, grad: Float32Array, from: number, to: number, lr: number, clipNorm: number): boolean {
  let squared = 0;
  for (let i = from; i < to; i += 1) {
    const g = grad[i] ?? 0;
    squared += g * g;
  }
  const scale = clipFactor(squared, clipNorm);
  let finite = true;
  for (let i = from; i < to; i += 1) {
    const g = (grad[i] ?? 0) * scale;
    if (g === 0) continue;
    const a = (acc[i] ?? 0) + g * g;
    acc[i] = a;
    const next = (dense[i] ?? 0) - (lr * g) / Math.sqrt(a + EPSILON);
    dense[i] = next;
    if (next - next !== 0) finite = false;
  }
  return finite;
}
