/**
 * Negative sampler over a unigram^power distribution of target counts. The table is rebuilt from the
 * live counts only every few batches (O(items)), and sampling is a binary search over cumulative
 * weights (O(log items)). The per-item weights of the last rebuild are kept in Float32 and the
 * cumulative sums recomputed from them in Float64, so a restored snapshot samples bit-identically.
 */
export class NegativeSampler {
  /** Sampling weight of each item at the last rebuild. */
  readonly weights: Float32Array;
  private readonly cumulative: Float64Array;
  private built = 0;
  private totalWeight = 0;

  constructor(maxItems: number, private readonly power: number) {
    this.weights = new Float32Array(maxItems);
    this.cumulative = new Float64Array(maxItems);
  }

  /** Items covered by the current table. */
  get size(): number {
    return this.built;
  }

  get total(): number {
    return this.totalWeight;
  }

  get bytes(): number {
    return this.weights.byteLength + this.cumulative.byteLength;
  }

  rebuild(counts: Float32Array, size: number): void {
    for (let i = 0; i < size; i += 1) this.weights[i] = Math.pow(Math.max(0, counts[i] ?? 0), this.power);
    this.built = size;
    this.accumulate();
  }

  /** Restores the table of a snapshot (its `weights` over the first `size` items). */
  restore(weights: Float32Array, size: number): void {
    this.weights.set(weights.subarray(0, size));
    this.built = size;
    this.accumulate();
  }

  /** Fills `out` with item indices drawn with replacement; false when the table is empty. */
  sample(out: Int32Array, count: number, random: () => number): boolean {
    if (this.totalWeight <= 0) return false;
    const last = this.built - 1;
    for (let k = 0; k < count; k += 1) {
      const target = random() * this.totalWeight;
      let lo = 0;
      let hi = last;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((this.cumulative[mid] ?? 0) > target) hi = mid;
        else lo = mid + 1;
      }
      out[k] = lo;
    }
    return true;
  }

  /** Probability of drawing `index` in one draw; items outside the table get the weight of a count of 1. */
  probability(index: number): number {
    const weight = index < this.built ? (this.weights[index] ?? 0) : 0;
    return (weight > 0 ? weight : 1) / Math.max(this.totalWeight, 1);
  }

  private accumulate(): void {
    let sum = 0;
    for (let i = 0; i < this.built; i += 1) {
      sum += this.weights[i] ?? 0;
      this.cumulative[i] = sum;
    }
    this.totalWeight = sum;
  }
}
