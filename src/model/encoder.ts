import type { ModelParams } from './params.ts';
import type { SparseGrad } from './sparse-grad.ts';
import { HALF } from './half.ts';

/**
 * Session encoder (STAMP-like, bilinear attention), forward and hand-written backward over a batch:
 *
 *   x_i = E[c_i] + pos[i]            context items, newest first; pos[i] is a learned recency vector
 *   h   = x_0                        the newest item
 *   α   = softmax_i( x_i · (A h) / √d )
 *   s   = P [ Σ α_i x_i ; h ]        P is d × 2d, linear: the softmax already gives the non-linearity
 *
 * Bilinear rather than NARM's additive attention (vᵀ tanh(W1 x_i + W2 h + W3 m)): it needs one d×d
 * product per session instead of one per context item plus tanh, and half as many dense weights, which
 * matters in a single online pass where every weight must be learned from the data seen so far.
 * Unknown context items are skipped but keep their recency position. An empty context encodes to the
 * zero vector, so scores fall back to the popularity bias alone.
 */
export class SessionEncoder {
  readonly dim: number;
  readonly maxContext: number;
  count = 0;
  /** Known context item indices per example, compacted, `maxContext` slots each. */
  ctx = new Int32Array(0);
  /** Original (recency) position of each compacted context item. */
  pos = new Int32Array(0);
  /** Known context items per example. */
  len = new Int32Array(0);
  /** Session vectors, `dim` floats per example. */
  sessions = new Float32Array(0);
  private x = new Float32Array(0);
  private alpha = new Float32Array(0);
  private q = new Float32Array(0);
  private u = new Float32Array(0);
  private readonly du: Float32Array;
  private readonly dq: Float32Array;
  private readonly dx: Float32Array;
  private readonly dAlpha: Float32Array;
  private readonly invSqrt: number;

  constructor(private readonly params: ModelParams, maxContext: number) {
    this.dim = params.dim;
    this.maxContext = maxContext;
    this.invSqrt = 1 / Math.sqrt(this.dim);
    this.du = new Float32Array(2 * this.dim);
    this.dq = new Float32Array(this.dim);
    this.dx = new Float32Array(maxContext * this.dim);
    this.dAlpha = new Float32Array(maxContext);
  }

  /** Prepares room for `count` examples; each is then filled by `setContext`. */
  reset(count: number): void {
    this.count = count;
    if (count <= this.len.length) return;
    const d = this.dim;
    const l = this.maxContext;
    this.ctx = new Int32Array(count * l);
    this.pos = new Int32Array(count * l);
    this.len = new Int32Array(count);
    this.sessions = new Float32Array(count * d);
    this.x = new Float32Array(count * l * d);
    this.alpha = new Float32Array(count * l);
    this.q = new Float32Array(count * d);
    this.u = new Float32Array(count * 2 * d);
  }

  /** Context of example `n` as item indices, newest first; negative entries are unknown items. */
  setContext(n: number, indices: ArrayLike<number>): void {
    const l = this.maxContext;
    const limit = Math.min(indices.length, l);
    let m = 0;
    for (let i = 0; i < limit; i += 1) {
      const index = indices[i] ?? -1;
      if (index < 0) continue;
      this.ctx[n * l + m] = index;
      this.pos[n * l + m] = i;
      m += 1;
    }
    this.len[n] = m;
  }

  forward(): void {
    for (let n = 0; n < this.count; n += 1) this.forwardOne(n);
  }

  /** Computes the session vector of example `n` into `sessions`, keeping what backward needs. */
  forwardOne(n: number): void {
    const d = this.dim;
    const l = this.maxContext;
    const { input: emb, dense } = this.params;
    const decode = HALF;
    const { a: aOff, p: pOff, pos: posOff } = this.params.layout;
    const { x, q, u, alpha, sessions } = this;
    const m = this.len[n] ?? 0;
    const so = n * d;
    if (m === 0) {
      sessions.fill(0, so, so + d);
      return;
    }
    const xo = n * l * d;
    const ao = n * l;
    const qo = n * d;
    const uo = n * 2 * d;
    for (let i = 0; i < m; i += 1) {
      const r = (this.ctx[ao + i] ?? 0) * d;
      const pp = posOff + (this.pos[ao + i] ?? 0) * d;
      const xi = xo + i * d;
      for (let c = 0; c < d; c += 1) x[xi + c] = (decode[emb[r + c] ?? 0] ?? 0) + (dense[pp + c] ?? 0);
    }
    for (let r = 0; r < d; r += 1) {
      const ar = aOff + r * d;
      let acc = 0;
      for (let c = 0; c < d; c += 1) acc += (dense[ar + c] ?? 0) * (x[xo + c] ?? 0);
      q[qo + r] = acc;
    }
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < m; i += 1) {
      const xi = xo + i * d;
      let z = 0;
      for (let c = 0; c < d; c += 1) z += (x[xi + c] ?? 0) * (q[qo + c] ?? 0);
      z *= this.invSqrt;
      alpha[ao + i] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let i = 0; i < m; i += 1) {
      const e = Math.exp((alpha[ao + i] ?? 0) - max);
      alpha[ao + i] = e;
      sum += e;
    }
    for (let i = 0; i < m; i += 1) alpha[ao + i] = (alpha[ao + i] ?? 0) / sum;
    for (let c = 0; c < d; c += 1) {
      let acc = 0;
      for (let i = 0; i < m; i += 1) acc += (alpha[ao + i] ?? 0) * (x[xo + i * d + c] ?? 0);
      u[uo + c] = acc;
      u[uo + d + c] = x[xo + c] ?? 0;
    }
    for (let r = 0; r < d; r += 1) {
      const pr = pOff + r * 2 * d;
      let acc = 0;
      for (let c = 0; c < 2 * d; c += 1) acc += (dense[pr + c] ?? 0) * (u[uo + c] ?? 0);
      sessions[so + r] = acc;
    }
  }

  /**
   * Back-propagates dLoss/ds of example `n` (at `ds[dsOff..]`): adds into the input-row gradients and
   * into `denseGrad` (laid out like `params.dense`). Needs the caches of the latest `forwardOne(n)`.
   */
  backwardOne(n: number, ds: Float32Array, dsOff: number, inputGrad: SparseGrad, denseGrad: Float32Array): void {
    const m = this.len[n] ?? 0;
    if (m === 0) return;
    const d = this.dim;
    const l = this.maxContext;
    const { dense } = this.params;
    const { a: aOff, p: pOff, pos: posOff } = this.params.layout;
    const { x, q, u, alpha, du, dq, dx, dAlpha } = this;
    const xo = n * l * d;
    const ao = n * l;
    const qo = n * d;
    const uo = n * 2 * d;
    du.fill(0);
    for (let r = 0; r < d; r += 1) {
      const g = ds[dsOff + r] ?? 0;
      if (g === 0) continue;
      const pr = pOff + r * 2 * d;
      for (let c = 0; c < 2 * d; c += 1) {
        denseGrad[pr + c] = (denseGrad[pr + c] ?? 0) + g * (u[uo + c] ?? 0);
        du[c] = (du[c] ?? 0) + (dense[pr + c] ?? 0) * g;
      }
    }
    // du[0:d] is dLoss/d(attended), du[d:2d] dLoss/dh; softmax backward: dz_i = α_i (dα_i − Σ α_k dα_k).
    let mean = 0;
    for (let i = 0; i < m; i += 1) {
      const xi = xo + i * d;
      let acc = 0;
      for (let c = 0; c < d; c += 1) acc += (du[c] ?? 0) * (x[xi + c] ?? 0);
      dAlpha[i] = acc;
      mean += (alpha[ao + i] ?? 0) * acc;
    }
    for (let i = 0; i < m; i += 1) {
      const ai = alpha[ao + i] ?? 0;
      const dz = ai * ((dAlpha[i] ?? 0) - mean) * this.invSqrt;
      dAlpha[i] = dz;
      for (let c = 0; c < d; c += 1) dx[i * d + c] = ai * (du[c] ?? 0) + dz * (q[qo + c] ?? 0);
    }
    for (let c = 0; c < d; c += 1) {
      let acc = 0;
      for (let i = 0; i < m; i += 1) acc += (dAlpha[i] ?? 0) * (x[xo + i * d + c] ?? 0);
      dq[c] = acc;
    }
    for (let r = 0; r < d; r += 1) {
      const g = dq[r] ?? 0;
      const ar = aOff + r * d;
      for (let c = 0; c < d; c += 1) {
        denseGrad[ar + c] = (denseGrad[ar + c] ?? 0) + g * (x[xo + c] ?? 0);
        du[d + c] = (du[d + c] ?? 0) + (dense[ar + c] ?? 0) * g;
      }
    }
    for (let c = 0; c < d; c += 1) dx[c] = (dx[c] ?? 0) + (du[d + c] ?? 0);
    for (let i = 0; i < m; i += 1) {
      const slot = inputGrad.slot(this.ctx[ao + i] ?? 0);
      const values = inputGrad.values;
      const vo = slot * d;
      const pp = posOff + (this.pos[ao + i] ?? 0) * d;
      for (let c = 0; c < d; c += 1) {
        const g = dx[i * d + c] ?? 0;
        values[vo + c] = (values[vo + c] ?? 0) + g;
        denseGrad[pp + c] = (denseGrad[pp + c] ?? 0) + g;
      }
    }
  }
}
