import { Names } from './names.ts';
import { resized, SlotPool } from './slot-pool.ts';

export interface NewItemsOptions {
  /** Items remembered (first seen, interactions); the earliest seen are forgotten first. */
  readonly maxItems: number;
  /** How long after it was first seen an item still counts as new, in event time. */
  readonly windowMs: number;
  /** Interactions after which an item is no longer new: the other sources know enough of it by then. */
  readonly maxInteractions: number;
}

export type NewItemsSnapshot = readonly (readonly [item: string, firstSeen: number, interactions: number, category: string | null])[];

const NO_CATEGORY = -1;

/** Newest arrivals kept per category (and overall) to fill exploration slots from. */
const ARRIVALS_PER_LIST = 100;

/**
 * Items the engine has only just met: when each was first seen and how often it was taken since. New
 * items have no co-visitation, no neighbours and no popularity, so no source would ever put them in
 * a list; the recommender gives them a share of the slots (exploration) until they earn their own.
 * Per item: one Map entry and 16 bytes of typed arrays (an object per item cost twice that).
 */
export class NewItems {
  /** Item → slot, earliest seen first (the eviction order). Per slot: first seen, interactions, category. */
  private readonly slots = new Map<string, number>();
  private firstSeenAt: Float64Array = new Float64Array(256);
  private interactions: Int32Array = new Int32Array(256);
  private categories: Int32Array = new Int32Array(256);
  private readonly pool = new SlotPool(256, (length) => {
    this.firstSeenAt = resized(this.firstSeenAt, length);
    this.interactions = resized(this.interactions, length);
    this.categories = resized(this.categories, length);
  });
  private readonly categoryNames = new Names();
  private readonly arrivals = new Map<string | null, string[]>();

  constructor(private readonly options: NewItemsOptions) {}

  get size(): number {
    return this.slots.size;
  }

  /** An interaction with `item` (the first one makes it known). */
  observe(item: string, category: string | null, ts: number): void {
    const slot = this.slots.get(item);
    if (slot === undefined) {
      this.add(item, category, ts, 1);
      return;
    }
    this.interactions[slot] = (this.interactions[slot] ?? 0) + 1;
    if (category !== null && this.categories[slot] === NO_CATEGORY) {
      this.categories[slot] = this.categoryNames.intern(category);
      this.arrive(item, category);
    }
  }

  /** An item announced before anyone took it (a catalogue update): new from `ts`, with no interactions. */
  announce(item: string, category: string | null, ts: number): void {
    if (!this.slots.has(item)) this.add(item, category, ts, 0);
  }

  /** When the item was first seen or announced; undefined when unknown (or forgotten). */
  firstSeen(item: string): number | undefined {
    const slot = this.slots.get(item);
    return slot === undefined ? undefined : this.firstSeenAt[slot];
  }

  isNew(item: string, now: number): boolean {
    const slot = this.slots.get(item);
    return slot !== undefined && this.fresh(slot, now);
  }

  /** Up to `k` new items of `category` (null: of any category), newest first. */
  newest(category: string | null, now: number, k: number): string[] {
    const out: string[] = [];
    const list = this.arrivals.get(category) ?? [];
    for (let i = list.length - 1; i >= 0 && out.length < k; i -= 1) {
      const item = list[i] ?? '';
      const slot = this.slots.get(item);
      if (slot !== undefined && this.fresh(slot, now)) out.push(item);
    }
    return out;
  }

  snapshot(): NewItemsSnapshot {
    return [...this.slots].map(([item, slot]) => {
      const category = this.categories[slot] ?? NO_CATEGORY;
      return [item, this.firstSeenAt[slot] ?? 0, this.interactions[slot] ?? 0, category === NO_CATEGORY ? null : this.categoryNames.name(category)] as const;
    });
  }

  restore(snapshot: NewItemsSnapshot): void {
    this.slots.clear();
    this.pool.clear();
    this.arrivals.clear();
    for (const [item, firstSeen, interactions, category] of snapshot) this.add(item, category, firstSeen, interactions);
  }

  private fresh(slot: number, now: number): boolean {
    return (this.interactions[slot] ?? 0) < this.options.maxInteractions && now - (this.firstSeenAt[slot] ?? 0) < this.options.windowMs;
  }

  private add(item: string, category: string | null, ts: number, interactions: number): void {
    const slot = this.pool.take();
    this.firstSeenAt[slot] = ts;
    this.interactions[slot] = interactions;
    this.categories[slot] = category === null ? NO_CATEGORY : this.categoryNames.intern(category);
    this.slots.set(item, slot);
    this.arrive(item, null);
    if (category !== null) this.arrive(item, category);
    if (this.slots.size > this.options.maxItems) {
      const oldest = this.slots.entries().next().value;
      if (oldest !== undefined) {
        this.slots.delete(oldest[0]);
        this.pool.release(oldest[1]);
      }
    }
  }

  private arrive(item: string, key: string | null): void {
    let list = this.arrivals.get(key);
    if (list === undefined) this.arrivals.set(key, (list = []));
    list.push(item);
    // Trimmed in bulk, so the cost per arrival stays constant.
    if (list.length > 2 * ARRIVALS_PER_LIST) list.splice(0, list.length - ARRIVALS_PER_LIST);
  }
}
