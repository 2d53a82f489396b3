import type { LossKind } from './options.ts';
import type { ModelParams } from './params.ts';
import { dotHalf } from './scorer.ts';

/**
 * Loss over each example's target plus the batch's shared negatives, with dLoss/dlogit written back
 * into `logits` (column 0 is the target). Negatives equal to the example's own target ("accidental
 * hits") are masked out.
 *
 * - 'sampled-softmax': logits are corrected by −log(K·q_j) (q the sampling probability), which makes
 *   the sampled softmax a consistent estimate of the full softmax, so the bias learns log-popularity
 *   and full-catalogue scores are calibrated.
 * - 'bpr': mean softplus(l_neg − l_target) over the negatives, without correction.
 */
export class CandidateLoss {
  /** [examples × (1 + negatives)] logits, then gradients. */
  logits = new Float64Array(0);
  /** −log(K·q) of each negative. */
  readonly negativeCorrection: Float64Array;

  constructor(private readonly params: ModelParams, readonly negatives: number, readonly kind: LossKind) {
    this.negativeCorrection = new Float64Array(negatives);
  }

  /**
   * Mean loss of `count` examples with session vectors `sessions`, targets `targets`, negatives `negs`.
   * With `withGrad`, `logits` then holds dLoss/dlogit of the mean loss.
   */
  compute(sessions: Float32Array, targets: Int32Array, targetCorrection: Float64Array, negs: Int32Array, count: number, withGrad: boolean): number {
    const d = this.params.dim;
    const k = this.negatives;
    const width = k + 1;
    if (this.logits.length < count * width) this.logits = new Float64Array(count * width);
    const { output, bias } = this.params;
    const logits = this.logits;
    const softmax = this.kind === 'sampled-softmax';
    let total = 0;
    for (let n = 0; n < count; n += 1) {
      const so = n * d;
      const lo = n * width;
      const target = targets[n] ?? 0;
      const targetLogit = dotHalf(sessions, so, output, target * d, d) + (bias[target] ?? 0) + (softmax ? (targetCorrection[n] ?? 0) : 0);
      logits[lo] = targetLogit;
      let max = targetLogit;
      for (let j = 0; j < k; j += 1) {
        const item = negs[j] ?? 0;
        if (item === target) {
          logits[lo + 1 + j] = Number.NEGATIVE_INFINITY;
          continue;
        }
        const logit = dotHalf(sessions, so, output, item * d, d) + (bias[item] ?? 0) + (softmax ? (this.negativeCorrection[j] ?? 0) : 0);
        logits[lo + 1 + j] = logit;
        if (logit > max) max = logit;
      }
      total += softmax ? this.softmaxRow(lo, width, max, count, withGrad) : this.bprRow(lo, width, count, withGrad);
    }
    return count === 0 ? 0 : total / count;
  }

  private softmaxRow(lo: number, width: number, max: number, count: number, withGrad: boolean): number {
    const logits = this.logits;
    let sum = 0;
    for (let j = 0; j < width; j += 1) sum += Math.exp((logits[lo + j] ?? 0) - max);
    const logSum = max + Math.log(sum);
    const loss = logSum - (logits[lo] ?? 0);
    if (withGrad) {
      for (let j = 0; j < width; j += 1) logits[lo + j] = Math.exp((logits[lo + j] ?? 0) - logSum) / count;
      logits[lo] = (logits[lo] ?? 0) - 1 / count;
    }
    return loss;
  }

  private bprRow(lo: number, width: number, count: number, withGrad: boolean): number {
    const logits = this.logits;
    const target = logits[lo] ?? 0;
    let used = 0;
    for (let j = 1; j < width; j += 1) if ((logits[lo + j] ?? 0) !== Number.NEGATIVE_INFINITY) used += 1;
    if (used === 0) {
      if (withGrad) logits.fill(0, lo, lo + width);
      return 0;
    }
    let loss = 0;
    let targetGrad = 0;
    for (let j = 1; j < width; j += 1) {
      const l = logits[lo + j] ?? 0;
      if (l === Number.NEGATIVE_INFINITY) {
        if (withGrad) logits[lo + j] = 0;
        continue;
      }
      const diff = l - target;
      // softplus(diff), stable for large |diff|
      loss += diff > 0 ? diff + Math.log1p(Math.exp(-diff)) : Math.log1p(Math.exp(diff));
      if (withGrad) {
        const g = 1 / (1 + Math.exp(-diff)) / (used * count);
        logits[lo + j] = g;
        targetGrad -= g;
      }
    }
    if (withGrad) logits[lo] = targetGrad;
    return loss / used;
  }
}
