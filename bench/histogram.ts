/**
 * A high-dynamic-range latency histogram in the HdrHistogram layout: values are bucketed with a fixed
 * relative precision (here 1 %, two significant digits), so percentiles are exact to 1 % from 1 µs to
 * hours with a few thousand counters, whatever the number of samples.
 */
export class LatencyHistogram {
  private readonly counts = new Map<number, number>();
  private total = 0;
  private max = 0;
  private static readonly PRECISION = 0.01;
  private static readonly MIN = 1e-6;

  /** Records one value (seconds; negatives are clamped to 0). */
  record(seconds: number): void {
    const value = Math.max(LatencyHistogram.MIN, seconds);
    const bucket = Math.floor(Math.log(value / LatencyHistogram.MIN) / Math.log1p(LatencyHistogram.PRECISION));
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
    this.total += 1;
    this.max = Math.max(this.max, seconds);
  }

  get count(): number {
    return this.total;
  }

  /** The value at quantile q (0..1), as the upper edge of its bucket (never below the true value); null when empty. */
  quantile(q: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (const bucket of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(bucket) ?? 0;
      if (seen >= rank) return Math.min(this.max, LatencyHistogram.MIN * (1 + LatencyHistogram.PRECISION) ** (bucket + 1));
    }
    return this.max;
  }
}
