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

/** One item's neighbours: `cells[2i]` is a neighbour's interned index, `cells[2i + 1]` its score. */
interface Row {
  size: number;
  cells: Float64Array;
}

const INITIAL_CELLS = 8;

/**
 * Online item-to-item co-visitation: when a session touches item b after a, the pair (a→b) gains 1/d
 * for the distance d between them, and (b→a) half of that (forward transitions predict better).
 * Memory is bounded twice: at most `2·neighbours` entries per item (pruned back to `neighbours` by
 * score), and at most `maxItems` items (least recently updated evicted).
 *
 * Rows are flat Float64Arrays of (interned neighbour index, score) pairs rather than Maps keyed by
 * item id: about a third of the memory per item and nothing for the collector to walk per entry.
 * Scores stay float64 so results are the same as summing in plain numbers.
 */
export class Covisitation {
  private readonly rows = new Map<string, Row>();
  private readonly decay: ForwardDecay;
  private indexOf = new Map<string, number>();
  private names: string[] = [];
  /** Names referenced at the last rebuild. */
  private liveNames = 0;

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
    for (let i = 0; i < row.size; i += 1) out.push({ item: this.names[row.cells[2 * i] ?? 0] ?? '', score: row.cells[2 * i + 1] ?? 0 });
    out.sort((a, b) => b.score - a.score || (a.item < b.item ? -1 : 1));
    return out.slice(0, k);
  }

  /**
   * `x`'s top `k` neighbours as item → score (the same set as `neighbours(x, k)`), for membership tests.
   * When the row holds no more than `k` items no sort is needed.
   */
  topNeighbours(x: string, k: number): ReadonlyMap<string, number> {
    const row = this.rows.get(x);
    if (row === undefined) return EMPTY;
    if (row.size > k) return new Map(this.neighbours(x, k).map((n) => [n.item, n.score]));
    const out = new Map<string, number>();
    for (let i = 0; i < row.size; i += 1) out.set(this.names[row.cells[2 * i] ?? 0] ?? '', row.cells[2 * i + 1] ?? 0);
    return out;
  }

  private add(from: string, to: string, w: number): void {
    let row = this.rows.get(from);
    if (row === undefined) {
      row = { size: 0, cells: new Float64Array(INITIAL_CELLS) };
    } else {
      this.rows.delete(from);
    }
    this.rows.set(from, row);
    const target = this.intern(to);
    let i = 0;
    while (i < row.size && row.cells[2 * i] !== target) i += 1;
    if (i < row.size) {
      row.cells[2 * i + 1] = (row.cells[2 * i + 1] ?? 0) + w;
    } else {
      if (2 * row.size === row.cells.length) {
        // Grows by 8 entries, not doubling: rows are many and mostly short, so slack costs more than copies.
        const grown = new Float64Array(Math.min(row.cells.length + 16, 4 * this.options.neighbours + 2));
        grown.set(row.cells);
        row.cells = grown;
      }
      row.cells[2 * row.size] = target;
      row.cells[2 * row.size + 1] = w;
      row.size += 1;
    }
    if (row.size > 2 * this.options.neighbours) this.prune(row);
    if (this.rows.size > this.options.maxItems) {
      const oldest = this.rows.keys().next();
      if (oldest.done !== true) this.rows.delete(oldest.value);
    }
  }

  /** Keeps the `neighbours` best entries, best first (ties keep their order, as a stable sort does). */
  private prune(row: Row): void {
    const order = Array.from({ length: row.size }, (_, i) => i);
    order.sort((a, b) => (row.cells[2 * b + 1] ?? 0) - (row.cells[2 * a + 1] ?? 0));
    const kept = Math.min(row.size, this.options.neighbours);
    const cells = new Float64Array(row.cells.length);
    for (let j = 0; j < kept; j += 1) {
      const i = order[j] ?? 0;
      cells[2 * j] = row.cells[2 * i] ?? 0;
      cells[2 * j + 1] = row.cells[2 * i + 1] ?? 0;
    }
    row.cells = cells;
    row.size = kept;
  }

  private intern(item: string): number {
    const known = this.indexOf.get(item);
    if (known !== undefined) return known;
    // Evicted rows and pruned entries leave their names behind; once the table has doubled since it was
    // last rebuilt (and outgrown twice the item bound), it is rebuilt from what rows still reference.
    if (this.names.length >= 2 * Math.max(this.options.maxItems, this.liveNames)) this.compact();
    const index = this.names.length;
    this.names.push(item);
    this.indexOf.set(item, index);
    return index;
  }

  private compact(): void {
    const names: string[] = [];
    const indexOf = new Map<string, number>();
    for (const row of this.rows.values()) {
      for (let i = 0; i < row.size; i += 1) {
        const name = this.names[row.cells[2 * i] ?? 0] ?? '';
        let index = indexOf.get(name);
        if (index === undefined) {
          index = names.length;
          names.push(name);
          indexOf.set(name, index);
        }
        row.cells[2 * i] = index;
      }
    }
    this.names = names;
    this.indexOf = indexOf;
    this.liveNames = names.length;
  }

  private rescale(factor: number): void {
    for (const row of this.rows.values()) for (let i = 0; i < row.size; i += 1) row.cells[2 * i + 1] = (row.cells[2 * i + 1] ?? 0) * factor;
  }

  /** Everything learned, in eviction order, for a checkpoint. */
  snapshot(): CovisitationSnapshot {
    return {
      landmark: this.decay.state,
      rows: [...this.rows].map(([item, row]) => [item, Array.from({ length: row.size }, (_, i): [string, number] => [this.names[row.cells[2 * i] ?? 0] ?? '', row.cells[2 * i + 1] ?? 0])]),
    };
  }

  /** Replaces what was learned with a checkpoint's. */
  restore(snapshot: CovisitationSnapshot): void {
    this.decay.restore(snapshot.landmark);
    this.rows.clear();
    this.names = [];
    this.indexOf = new Map();
    for (const [item, entries] of snapshot.rows) {
      const cells = new Float64Array(Math.max(INITIAL_CELLS, Math.min(4 * this.options.neighbours + 2, 2 * entries.length)));
      entries.forEach(([other, score], i) => {
        cells[2 * i] = this.intern(other);
        cells[2 * i + 1] = score;
      });
      this.rows.set(item, { size: entries.length, cells });
    }
  }
}
