/** Next-item accuracy of one recommender over a set of rows (HR, MRR, NDCG, coverage). */
export class RankingMetrics {
  private rows = 0;
  private hits20 = 0;
  private hits10 = 0;
  private rr20 = 0;
  private ndcg10 = 0;
  private readonly covered = new Set<string>();

  /** Adds one row: the ranked list (best first, at least 20 long where possible) and the true next item. */
  add(ranked: readonly string[], target: string): number {
    this.rows += 1;
    for (let i = 0; i < Math.min(20, ranked.length); i += 1) this.covered.add(ranked[i] ?? '');
    const rank = ranked.slice(0, 20).indexOf(target);
    if (rank < 0) return -1;
    this.hits20 += 1;
    this.rr20 += 1 / (rank + 1);
    if (rank < 10) {
      this.hits10 += 1;
      this.ndcg10 += 1 / Math.log2(rank + 2);
    }
    return rank;
  }

  /** Percentages, as papers report them; coverage relative to `catalogue` items. */
  summary(catalogue: number): { rows: number; hr20: number; mrr20: number; hr10: number; ndcg10: number; coverage20: number } {
    const pct = (x: number): number => Math.round((10000 * x) / Math.max(1, this.rows)) / 100;
    return {
      rows: this.rows,
      hr20: pct(this.hits20),
      mrr20: pct(this.rr20),
      hr10: pct(this.hits10),
      ndcg10: pct(this.ndcg10),
      coverage20: Math.round((10000 * this.covered.size) / Math.max(1, catalogue)) / 100,
    };
  }
}

/** Jaccard similarity of two lists taken as sets. */
export function jaccard(a: readonly string[], b: readonly string[]): number {
  const left = new Set(a);
  const right = new Set(b);
  let both = 0;
  for (const item of left) if (right.has(item)) both += 1;
  const union = left.size + right.size - both;
  return union === 0 ? 1 : both / union;
}
