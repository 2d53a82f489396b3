export interface CoPurchaseOptions {
  /** Items with a partner row; the least recently updated are evicted beyond it. */
  readonly maxItems: number;
  /** Partners kept per item (the weakest pruned, amortised). */
  readonly maxPartners: number;
  /** Sessions whose purchases are remembered; the least recently buying are forgotten first. */
  readonly maxSessions: number;
  /** Purchased items remembered per session (the newest). */
  readonly maxItemsPerSession?: number;
  /** Distinct sessions remembered per pair: support is exact up to this, and reads as "at least" at it. */
  readonly supportCap: number;
}

export interface CoPurchaseSnapshot {
  readonly sessions: readonly (readonly [string, readonly string[]])[];
  readonly rows: readonly (readonly [string, readonly (readonly [string, readonly string[]])[]])[];
}

const DEFAULT_ITEMS_PER_SESSION = 50;

/**
 * Online "bought together" support: for each pair of items, the number of **distinct sessions** that
 * bought both, which is what "k shoppers bought both" means. Each pair keeps the ids of the sessions
 * behind it (up to `supportCap`), so a session counts once per pair however often it buys, even after
 * the session itself was forgotten. Bounded four ways: sessions remembered, items with a row, partners
 * per row, sessions per pair. Every bound can only under-count support, never invent it.
 */
export class CoPurchases {
  private readonly sessions = new Map<string, string[]>();
  private readonly rows = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly options: CoPurchaseOptions) {}

  get size(): number {
    return this.rows.size;
  }

  /** Session `sessionId` bought `item`. */
  observe(sessionId: string, item: string): void {
    let bought = this.sessions.get(sessionId);
    if (bought === undefined) {
      bought = [];
      if (this.sessions.size >= this.options.maxSessions) {
        const oldest = this.sessions.keys().next();
        if (oldest.done !== true) this.sessions.delete(oldest.value);
      }
    } else {
      this.sessions.delete(sessionId);
    }
    this.sessions.set(sessionId, bought);
    if (bought.includes(item)) return;
    for (const other of bought) {
      this.add(item, other, sessionId);
      this.add(other, item, sessionId);
    }
    bought.push(item);
    if (bought.length > (this.options.maxItemsPerSession ?? DEFAULT_ITEMS_PER_SESSION)) bought.shift();
  }

  /** Distinct sessions known to have bought both items. */
  support(a: string, b: string): number {
    return this.rows.get(a)?.get(b)?.size ?? 0;
  }

  /** Partners of `item` bought together with it by at least `minSessions` distinct sessions, with their support. */
  partners(item: string, minSessions: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const [other, holders] of this.rows.get(item) ?? []) if (holders.size >= minSessions) out.set(other, holders.size);
    return out;
  }

  private add(from: string, to: string, sessionId: string): void {
    let row = this.rows.get(from);
    if (row === undefined) {
      row = new Map();
      if (this.rows.size >= this.options.maxItems) {
        const oldest = this.rows.keys().next();
        if (oldest.done !== true) this.rows.delete(oldest.value);
      }
    } else {
      this.rows.delete(from);
    }
    this.rows.set(from, row);
    let holders = row.get(to);
    if (holders === undefined) row.set(to, (holders = new Set()));
    if (holders.size < this.options.supportCap) holders.add(sessionId);
    if (row.size > 2 * this.options.maxPartners) {
      const kept = [...row.entries()].sort((x, y) => y[1].size - x[1].size).slice(0, this.options.maxPartners);
      row.clear();
      for (const [other, set] of kept) row.set(other, set);
    }
  }

  snapshot(): CoPurchaseSnapshot {
    return { sessions: [...this.sessions].map(([id, items]) => [id, [...items]]), rows: [...this.rows].map(([item, row]) => [item, [...row].map(([other, set]) => [other, [...set]] as const)]) };
  }

  restore(snapshot: CoPurchaseSnapshot): void {
    this.sessions.clear();
    for (const [id, items] of snapshot.sessions) this.sessions.set(id, [...items]);
    this.rows.clear();
    for (const [item, row] of snapshot.rows) this.rows.set(item, new Map(row.map(([other, ids]) => [other, new Set(ids)])));
  }
}
