import { ForwardDecay } from './decay.ts';

export interface CovisitationOptions {
  /** Neighbours kept per item. */
  readonly neighbours: number;
  /** How many previous session items each new item pairs with. */
  readonly window: number;
  readonly halfLifeMs: number;
  /** Items tracked; the least recently updated are evicted beyond it. */
  readonly maxItems: number;
}

export interface CovisitationSnapshot {
  readonly landmark: number | null;
  readonly rows: readonly (readonly [string, readonly (readonly [string, number])[]])[];
}

const EMPTY: ReadonlyMap<string, number> = new Map();

export interface Neighbour {
  readonly item: string;
  /** Stored (forward-decayed) score; comparable across neighbours of any item. */
  readonly score: number;
}

/**
 * Online item-to-item co-visitation: when a session touches item b after a, the pair (a→b) gains 1/d
 * for the distance d between them, and (b→a) half of that (forward transitions predict better).
 * Memory is bounded twice: at most `2·neighbours` entries per item (pruned back to `neighbours` by
 * score), and at most `maxItems` items (least recently updated evicted).
 */
export class Covisitation {
  private readonly rows = new Map<string, Map<string, number>>();
  private readonly decay: ForwardDecay;

  constructor(private readonly options: CovisitationOptions) {
    this.decay = new ForwardDecay(options.halfLifeMs);
  }

  get size(): number {
    return this.rows.size;
  }

  /** Records that `item` followed `previous` (newest first) in a session at time `ts`. */
  observe(item: string, previous: readonly string[], ts: number): void {
    const base = this.decay.weight(ts, (factor) => this.rescale(factor));
    const limit = Math.min(previous.length, this.options.window);
    for (let d = 0; d < limit; d += 1) {
      const other = previous[d];
      if (other === undefined || other === item) continue;
      const w = base / (d + 1);
      this.add(other, item, w);
      this.add(item, other, w / 2);
    }
  }

  /** Top neighbours of an item, best first. */
  neighbours(item: string, k: number): Neighbour[] {
    const row = this.rows.get(item);
    if (row === undefined) return [];
    const out: Neighbour[] = [];
    for (const [other, score] of row) out.push({ item: other, score });
    out.sort((a, b) => b.score - a.score || (a.item < b.item ? -1 : 1));
    return out.slice(0, k);
  }

  /**
   * `x`'s top `k` neighbours as item → score (the same set as `neighbours(x, k)`), for membership tests.
   * When the row holds no more than `k` items it is returned as is, without a copy or a sort: a
   * read-only view, valid until the next `observe`.
   */
  topNeighbours(x: string, k: number): ReadonlyMap<string, number> {
    const row = this.rows.get(x);
    if (row === undefined) return EMPTY;
    if (row.size <= k) return row;
    return new Map(this.neighbours(x, k).map((n) => [n.item, n.score]));
  }

  private add(from: string, to: string, w: number): void {
    let row = this.rows.get(from);
    if (row === undefined) {
      row = new Map();
    } else {
      this.rows.delete(from);
    }
    this.rows.set(from, row);
    row.set(to, (row.get(to) ?? 0) + w);
    if (row.size > 2 * this.options.neighbours) this.prune(row);
    if (this.rows.size > this.options.maxItems) {
      const oldest = this.rows.keys().next();
      if (oldest.done !== true) this.rows.delete(oldest.value);
    }
  }

  private prune(row: Map<string, number>): void {
    const kept = [...row.entries()].sort((a, b) => b[1] - a[1]).slice(0, this.options.neighbours);
    row.clear();
    for (const [other, score] of kept) row.set(other, score);
  }

  private rescale(factor: number): void {
    for (const row of this.rows.values()) for (const [other, score] of row) row.set(other, score * factor);
  }

  /** Everything learned, in eviction order, for a checkpoint. */
  snapshot(): CovisitationSnapshot {
    return { landmark: this.decay.state, rows: [...this.rows].map(([item, row]) => [item, [...row]]) };
  }

  /** Replaces what was learned with a checkpoint's. */
  restore(snapshot: CovisitationSnapshot): void {
    this.decay.restore(snapshot.landmark);
    this.rows.clear();
    for (const [item, row] of snapshot.rows) this.rows.set(item, new Map(row));
  }
}
