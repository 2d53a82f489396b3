import { ForwardDecay } from './decay.ts';

export interface TrendingOptions {
  readonly halfLifeMs: number;
  readonly maxItems: number;
  readonly topK: number;
}

export interface TrendingEntry {
  readonly item: string;
  readonly score: number;
}

export interface TrendingSnapshot {
  readonly landmark: number | null;
  readonly scores: readonly (readonly [string, number])[];
  readonly categoryOf: readonly (readonly [string, string])[];
  readonly touched: readonly string[];
  readonly globalTop: readonly TrendingEntry[];
  readonly categoryTop: readonly (readonly [string, readonly TrendingEntry[]])[];
}

/**
 * Decayed interaction counts, global and per category, with maintained top-K lists. With forward
 * decay an untouched item's stored score is constant, so the new top-K is always within the old top-K
 * plus the items touched since: `refresh()` only sorts that small set.
 */
export class Trending {
  private readonly scores = new Map<string, number>();
  private readonly categoryOf = new Map<string, string>();
  private readonly decay: ForwardDecay;
  private readonly touched = new Set<string>();
  private globalTop: TrendingEntry[] = [];
  private listGeneration = 0;
  private readonly categoryTop = new Map<string, TrendingEntry[]>();

  constructor(private readonly options: TrendingOptions) {
    this.decay = new ForwardDecay(options.halfLifeMs);
  }

  get size(): number {
    return this.scores.size;
  }

  observe(item: string, category: string | null, weight: number, ts: number): void {
    if (weight <= 0) return;
    const w = weight * this.decay.weight(ts, (factor) => this.rescale(factor));
    this.scores.set(item, (this.scores.get(item) ?? 0) + w);
    if (category !== null) this.moveToCategory(item, category);
    this.touched.add(item);
  }

  /**
   * Records the category of an item that has none yet, without counting anything: it enters its
   * category's list with its next count. A known category only changes with a count (`observe`).
   */
  noteCategory(item: string, category: string): void {
    if (!this.categoryOf.has(item)) this.categoryOf.set(item, category);
  }

  private moveToCategory(item: string, category: string): void {
    const previous = this.categoryOf.get(item);
    if (previous === category) return;
    if (previous !== undefined) {
      const list = this.categoryTop.get(previous);
      if (list !== undefined) this.categoryTop.set(previous, list.filter((entry) => entry.item !== item));
    }
    this.categoryOf.set(item, category);
  }

  /** Folds the touched items into the top-K lists; call once per micro-batch. */
  /** Changes whenever the top lists may have changed order or members (refresh, restore). */
  get generation(): number {
    return this.listGeneration;
  }

  refresh(): void {
    if (this.touched.size === 0) return;
    this.listGeneration += 1;
    if (this.scores.size > this.options.maxItems) this.evict();
    this.globalTop = this.merge(this.globalTop, this.touched);
    const byCategory = new Map<string, Set<string>>();
    for (const item of this.touched) {
      const category = this.categoryOf.get(item);
      if (category === undefined) continue;
      let set = byCategory.get(category);
      if (set === undefined) byCategory.set(category, (set = new Set()));
      set.add(item);
    }
    for (const [category, items] of byCategory) {
      this.categoryTop.set(category, this.merge(this.categoryTop.get(category) ?? [], items));
    }
    this.touched.clear();
  }

  /** Stored score of an item (comparable with the entries of `top`), 0 when unknown. */
  score(item: string): number {
    return this.scores.get(item) ?? 0;
  }

  top(k: number): readonly TrendingEntry[] {
    return this.globalTop.slice(0, k);
  }

  topInCategory(category: string, k: number): readonly TrendingEntry[] {
    return (this.categoryTop.get(category) ?? []).slice(0, k);
  }

  category(item: string): string | undefined {
    return this.categoryOf.get(item);
  }

  private merge(previous: readonly TrendingEntry[], touched: ReadonlySet<string>): TrendingEntry[] {
    const pool = new Map<string, number>();
    for (const entry of previous) {
      const score = this.scores.get(entry.item);
      if (score !== undefined) pool.set(entry.item, score);
    }
    for (const item of touched) {
      const score = this.scores.get(item);
      if (score !== undefined) pool.set(item, score);
    }
    return [...pool.entries()]
      .map(([item, score]) => ({ item, score }))
      .sort((a, b) => b.score - a.score || (a.item < b.item ? -1 : 1))
      .slice(0, this.options.topK);
  }

  /** Drops the weakest items down to 90 % of capacity (amortised: runs rarely). */
  private evict(): void {
    const keep = Math.floor(this.options.maxItems * 0.9);
    const sorted = [...this.scores.entries()].sort((a, b) => b[1] - a[1]);
    for (const [item] of sorted.slice(keep)) {
      this.scores.delete(item);
      this.categoryOf.delete(item);
      this.touched.delete(item);
    }
    this.globalTop = this.globalTop.filter((entry) => this.scores.has(entry.item));
    for (const [category, list] of this.categoryTop) {
      this.categoryTop.set(category, list.filter((entry) => this.scores.has(entry.item)));
    }
  }

  private rescale(factor: number): void {
    for (const [item, score] of this.scores) this.scores.set(item, score * factor);
    this.globalTop = this.globalTop.map((entry) => ({ item: entry.item, score: entry.score * factor }));
    for (const [category, list] of this.categoryTop) {
      this.categoryTop.set(category, list.map((entry) => ({ item: entry.item, score: entry.score * factor })));
    }
  }

  /** Everything learned, for a checkpoint (taken between micro-batches: nothing is pending). */
  snapshot(): TrendingSnapshot {
    return {
      landmark: this.decay.state,
      scores: [...this.scores],
      categoryOf: [...this.categoryOf],
      touched: [...this.touched],
      globalTop: this.globalTop,
      categoryTop: [...this.categoryTop],
    };
  }

  restore(snapshot: TrendingSnapshot): void {
    this.listGeneration += 1;
    this.decay.restore(snapshot.landmark);
    this.scores.clear();
    for (const [item, score] of snapshot.scores) this.scores.set(item, score);
    this.categoryOf.clear();
    for (const [item, category] of snapshot.categoryOf) this.categoryOf.set(item, category);
    this.touched.clear();
    for (const item of snapshot.touched) this.touched.add(item);
    this.globalTop = [...snapshot.globalTop];
    this.categoryTop.clear();
    for (const [category, list] of snapshot.categoryTop) this.categoryTop.set(category, [...list]);
  }
}
