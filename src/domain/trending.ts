import { ForwardDecay } from './decay.ts';
import { Names } from './names.ts';
import { resized, SlotPool } from './slot-pool.ts';

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

/** Score of a slot that holds only a category (`noteCategory`), nothing counted yet. */
const NO_SCORE = -1;
const NO_CATEGORY = -1;

/**
 * Decayed interaction counts, global and per category, with maintained top-K lists. With forward
 * decay an untouched item's stored score is constant, so the new top-K is always within the old top-K
 * plus the items touched since: `refresh()` only sorts that small set.
 *
 * Each item has a slot: its score and category index sit in typed arrays, so an item costs one Map
 * entry and 12 bytes instead of two Map entries and a boxed number.
 */
export class Trending {
  /** Item → slot, in the order items were first met (snapshots list them in it). */
  private readonly slots = new Map<string, number>();
  private scores: Float64Array = new Float64Array(256);
  private categories: Int32Array = new Int32Array(256);
  private readonly pool = new SlotPool(256, (length) => {
    this.scores = resized(this.scores, length);
    this.categories = resized(this.categories, length);
  });
  private readonly categoryNames = new Names();
  /** Slots with a score (what `size` and eviction count). */
  private scored = 0;
  private readonly decay: ForwardDecay;
  private readonly touched = new Set<string>();
  private globalTop: TrendingEntry[] = [];
  private listGeneration = 0;
  private readonly categoryTop = new Map<string, TrendingEntry[]>();

  constructor(private readonly options: TrendingOptions) {
    this.decay = new ForwardDecay(options.halfLifeMs);
  }

  get size(): number {
    return this.scored;
  }

  observe(item: string, category: string | null, weight: number, ts: number): void {
    if (weight <= 0) return;
    const w = weight * this.decay.weight(ts, (factor) => this.rescale(factor));
    const slot = this.slotOf(item);
    const score = this.scores[slot] ?? NO_SCORE;
    if (score === NO_SCORE) {
      this.scores[slot] = w;
      this.scored += 1;
    } else {
      this.scores[slot] = score + w;
    }
    if (category !== null) this.moveToCategory(slot, item, category);
    this.touched.add(item);
  }

  /**
   * Records the category of an item that has none yet, without counting anything: it enters its
   * category's list with its next count. A known category only changes with a count (`observe`).
   */
  noteCategory(item: string, category: string): void {
    const slot = this.slotOf(item);
    if (this.categories[slot] === NO_CATEGORY) this.categories[slot] = this.categoryNames.intern(category);
  }

  private moveToCategory(slot: number, item: string, category: string): void {
    const previous = this.categories[slot] ?? NO_CATEGORY;
    const next = this.categoryNames.intern(category);
    if (previous === next) return;
    if (previous !== NO_CATEGORY) {
      const name = this.categoryNames.name(previous);
      const list = this.categoryTop.get(name);
      if (list !== undefined) this.categoryTop.set(name, list.filter((entry) => entry.item !== item));
    }
    this.categories[slot] = next;
  }

  /** Changes whenever the top lists may have changed order or members (refresh, restore). */
  get generation(): number {
    return this.listGeneration;
  }

  /** Folds the touched items into the top-K lists; call once per micro-batch. */
  refresh(): void {
    if (this.touched.size === 0) return;
    this.listGeneration += 1;
    if (this.scored > this.options.maxItems) this.evict();
    this.globalTop = this.merge(this.globalTop, this.touched);
    const byCategory = new Map<number, Set<string>>();
    for (const item of this.touched) {
      const slot = this.slots.get(item);
      const category = slot === undefined ? NO_CATEGORY : (this.categories[slot] ?? NO_CATEGORY);
      if (category === NO_CATEGORY) continue;
      let set = byCategory.get(category);
      if (set === undefined) byCategory.set(category, (set = new Set()));
      set.add(item);
    }
    for (const [category, items] of byCategory) {
      const name = this.categoryNames.name(category);
      this.categoryTop.set(name, this.merge(this.categoryTop.get(name) ?? [], items));
    }
    this.touched.clear();
  }

  /** Stored score of an item (comparable with the entries of `top`), 0 when unknown. */
  score(item: string): number {
    const slot = this.slots.get(item);
    return slot === undefined ? 0 : Math.max(0, this.scores[slot] ?? 0);
  }

  top(k: number): readonly TrendingEntry[] {
    return this.globalTop.slice(0, k);
  }

  topInCategory(category: string, k: number): readonly TrendingEntry[] {
    return (this.categoryTop.get(category) ?? []).slice(0, k);
  }

  category(item: string): string | undefined {
    const slot = this.slots.get(item);
    const category = slot === undefined ? NO_CATEGORY : (this.categories[slot] ?? NO_CATEGORY);
    return category === NO_CATEGORY ? undefined : this.categoryNames.name(category);
  }

  private merge(previous: readonly TrendingEntry[], touched: ReadonlySet<string>): TrendingEntry[] {
    const pool = new Map<string, number>();
    for (const entry of previous) {
      const score = this.storedScore(entry.item);
      if (score !== NO_SCORE) pool.set(entry.item, score);
    }
    for (const item of touched) {
      const score = this.storedScore(item);
      if (score !== NO_SCORE) pool.set(item, score);
    }
    return [...pool.entries()]
      .map(([item, score]) => ({ item, score }))
      .sort((a, b) => b.score - a.score || (a.item < b.item ? -1 : 1))
      .slice(0, this.options.topK);
  }

  private storedScore(item: string): number {
    const slot = this.slots.get(item);
    return slot === undefined ? NO_SCORE : (this.scores[slot] ?? NO_SCORE);
  }

  private slotOf(item: string): number {
    const known = this.slots.get(item);
    if (known !== undefined) return known;
    const slot = this.pool.take();
    this.scores[slot] = NO_SCORE;
    this.categories[slot] = NO_CATEGORY;
    this.slots.set(item, slot);
    return slot;
  }

  /** Drops the weakest items down to 90 % of capacity (amortised: runs rarely). */
  private evict(): void {
    const keep = Math.floor(this.options.maxItems * 0.9);
    const ranked = [...this.slots].filter(([, slot]) => (this.scores[slot] ?? NO_SCORE) !== NO_SCORE).sort((a, b) => (this.scores[b[1]] ?? 0) - (this.scores[a[1]] ?? 0));
    for (const [item, slot] of ranked.slice(keep)) {
      this.slots.delete(item);
      this.scores[slot] = NO_SCORE;
      this.categories[slot] = NO_CATEGORY;
      this.pool.release(slot);
      this.touched.delete(item);
      this.scored -= 1;
    }
    const kept = (entry: TrendingEntry): boolean => this.slots.has(entry.item);
    this.globalTop = this.globalTop.filter(kept);
    for (const [category, list] of this.categoryTop) this.categoryTop.set(category, list.filter(kept));
  }

  private rescale(factor: number): void {
    for (let slot = 0; slot < this.pool.highWater; slot += 1) {
      const score = this.scores[slot] ?? NO_SCORE;
      if (score !== NO_SCORE) this.scores[slot] = score * factor;
    }
    this.globalTop = this.globalTop.map((entry) => ({ item: entry.item, score: entry.score * factor }));
    for (const [category, list] of this.categoryTop) {
      this.categoryTop.set(category, list.map((entry) => ({ item: entry.item, score: entry.score * factor })));
    }
  }

  /** Everything learned, for a checkpoint (taken between micro-batches: nothing is pending). */
  snapshot(): TrendingSnapshot {
    const scores: [string, number][] = [];
    const categoryOf: [string, string][] = [];
    for (const [item, slot] of this.slots) {
      const score = this.scores[slot] ?? NO_SCORE;
      if (score !== NO_SCORE) scores.push([item, score]);
      const category = this.categories[slot] ?? NO_CATEGORY;
      if (category !== NO_CATEGORY) categoryOf.push([item, this.categoryNames.name(category)]);
    }
    return {
      landmark: this.decay.state,
      scores,
      categoryOf,
      touched: [...this.touched],
      globalTop: this.globalTop,
      categoryTop: [...this.categoryTop],
    };
  }

  restore(snapshot: TrendingSnapshot): void {
    this.listGeneration += 1;
    this.decay.restore(snapshot.landmark);
    this.slots.clear();
    this.pool.clear();
    this.scored = 0;
    for (const [item, score] of snapshot.scores) {
      const slot = this.slotOf(item);
      this.scores[slot] = score;
      this.scored += 1;
    }
    for (const [item, category] of snapshot.categoryOf) this.categories[this.slotOf(item)] = this.categoryNames.intern(category);
    this.touched.clear();
    for (const item of snapshot.touched) this.touched.add(item);
    this.globalTop = [...snapshot.globalTop];
    this.categoryTop.clear();
    for (const [category, list] of snapshot.categoryTop) this.categoryTop.set(category, [...list]);
  }
}
