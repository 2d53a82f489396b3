export interface NewItemsOptions {
  /** Items remembered (first seen, interactions); the earliest seen are forgotten first. */
  readonly maxItems: number;
  /** How long after it was first seen an item still counts as new, in event time. */
  readonly windowMs: number;
  /** Interactions after which an item is no longer new: the other sources know enough of it by then. */
  readonly maxInteractions: number;
}

interface Entry {
  readonly firstSeen: number;
  interactions: number;
  category: string | null;
}

export type NewItemsSnapshot = readonly (readonly [item: string, firstSeen: number, interactions: number, category: string | null])[];

/** Newest arrivals kept per category (and overall) to fill exploration slots from. */
const ARRIVALS_PER_LIST = 100;

/**
 * Items the engine has only just met: when each was first seen and how often it was taken since. New
 * items have no co-visitation, no neighbours and no popularity, so no source would ever put them in
 * a list; the recommender gives them a share of the slots (exploration) until they earn their own.
 */
export class NewItems {
  private readonly entries = new Map<string, Entry>();
  private readonly arrivals = new Map<string | null, string[]>();

  constructor(private readonly options: NewItemsOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** An interaction with `item` (the first one makes it known). */
  observe(item: string, category: string | null, ts: number): void {
    const entry = this.entries.get(item);
    if (entry === undefined) {
      this.add(item, category, ts, 1);
      return;
    }
    entry.interactions += 1;
    if (category !== null && entry.category === null) {
      entry.category = category;
      this.arrive(item, category);
    }
  }

  /** An item announced before anyone took it (a catalogue update): new from `ts`, with no interactions. */
  announce(item: string, category: string | null, ts: number): void {
    if (!this.entries.has(item)) this.add(item, category, ts, 0);
  }

  /** When the item was first seen or announced; undefined when unknown (or forgotten). */
  firstSeen(item: string): number | undefined {
    return this.entries.get(item)?.firstSeen;
  }

  isNew(item: string, now: number): boolean {
    const entry = this.entries.get(item);
    return entry !== undefined && this.fresh(entry, now);
  }

  /** Up to `k` new items of `category` (null: of any category), newest first. */
  newest(category: string | null, now: number, k: number): string[] {
    const out: string[] = [];
    const list = this.arrivals.get(category) ?? [];
    for (let i = list.length - 1; i >= 0 && out.length < k; i -= 1) {
      const item = list[i] ?? '';
      const entry = this.entries.get(item);
      if (entry !== undefined && this.fresh(entry, now)) out.push(item);
    }
    return out;
  }

  snapshot(): NewItemsSnapshot {
    return [...this.entries].map(([item, entry]) => [item, entry.firstSeen, entry.interactions, entry.category] as const);
  }

  restore(snapshot: NewItemsSnapshot): void {
    this.entries.clear();
    this.arrivals.clear();
    for (const [item, firstSeen, interactions, category] of snapshot) this.add(item, category, firstSeen, interactions);
  }

  private fresh(entry: Entry, now: number): boolean {
    return entry.interactions < this.options.maxInteractions && now - entry.firstSeen < this.options.windowMs;
  }

  private add(item: string, category: string | null, ts: number, interactions: number): void {
    this.entries.set(item, { firstSeen: ts, interactions, category });
    this.arrive(item, null);
    if (category !== null) this.arrive(item, category);
    if (this.entries.size > this.options.maxItems) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
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
