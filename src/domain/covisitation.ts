import { BlockArena } from './block-arena.ts';
import { ForwardDecay } from './decay.ts';
import { resized, SlotPool } from './slot-pool.ts';

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

/** Entries of a new row; rows then grow by `GROWTH` entries up to `2·neighbours + 1`. */
const INITIAL_ENTRIES = 4;
// Not doubling: rows are many and mostly short, so slack costs more than copies.
const GROWTH = 4;
/** No slot / no row. */
const NONE = -1;

/**
 * Online item-to-item co-visitation: when a session touches item b after a, the pair (a→b) gains 1/d
 * for the distance d between them, and (b→a) half of that (forward transitions predict better).
 * Memory is bounded twice: at most `2·neighbours` entries per item (pruned back to `neighbours` by
 * score), and at most `maxItems` items (least recently updated evicted).
 *
 * Items are interned once (`names`); each item's row is a block of (neighbour index, float32 score)
 * cells in one shared arena (`BlockArena`), and the per-row bookkeeping, the eviction order included
 * (a doubly linked list), lives in typed arrays indexed by a slot number. About 400 bytes per item
 * with ~20 neighbours, where a Map entry and a typed array per row cost ~740. Float32 scores hold 7
 * significant digits of a forward-decayed sum, plenty to rank neighbours by.
 */
export class Covisitation {
  private readonly arena = new BlockArena();
  /** Per slot: where its cells are, how many are used and reserved, whose row it is, eviction order. */
  private offsets: Int32Array = new Int32Array(1024);
  private sizes: Int32Array = new Int32Array(1024);
  private capacities: Int32Array = new Int32Array(1024);
  private owners: Int32Array = new Int32Array(1024);
  private older: Int32Array = new Int32Array(1024);
  private newer: Int32Array = new Int32Array(1024);
  /** Least and most recently updated rows (NONE when empty). */
  private oldest = NONE;
  private newest = NONE;
  private rowCount = 0;
  private readonly pool = new SlotPool(1024, (length) => {
    this.offsets = resized(this.offsets, length);
    this.sizes = resized(this.sizes, length);
    this.capacities = resized(this.capacities, length);
    this.owners = resized(this.owners, length);
    this.older = resized(this.older, length);
    this.newer = resized(this.newer, length);
  });
  /** Name index → slot of that item's row (NONE: no row). */
  private rowOf: Int32Array = new Int32Array(1024).fill(NONE);
  private readonly maxEntries: number;
  private readonly decay: ForwardDecay;
  private indexOf = new Map<string, number>();
  private names: string[] = [];
  /** Names referenced at the last rebuild. */
  private liveNames = 0;

  constructor(private readonly options: CovisitationOptions) {
    this.decay = new ForwardDecay(options.halfLifeMs);
    this.maxEntries = 2 * options.neighbours + 1;
  }

  get size(): number {
    return this.rowCount;
  }

  /** Records that `item` followed `previous` (newest first) in a session at time `ts`. */
  observe(item: string, previous: readonly string[], ts: number): void {
    const base = this.decay.weight(ts, (factor) => this.arena.scale(factor));
    // Evicted rows and pruned entries leave their names behind; once the table has doubled since it was
    // last rebuilt (and outgrown twice the item bound), it is rebuilt from what rows still reference.
    // Only here, so that no name index held below goes stale.
    if (this.names.length >= 2 * Math.max(this.options.maxItems, this.liveNames)) this.compact();
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
    const slot = this.slotOf(item);
    if (slot === NONE) return [];
    const out: Neighbour[] = [];
    const { keys, values } = this.arena;
    const offset = this.offsets[slot] ?? 0;
    const size = this.sizes[slot] ?? 0;
    for (let i = offset; i < offset + size; i += 1) out.push({ item: this.names[keys[i] ?? 0] ?? '', score: values[i] ?? 0 });
    out.sort((a, b) => b.score - a.score || (a.item < b.item ? -1 : 1));
    return out.slice(0, k);
  }

  /**
   * `x`'s top `k` neighbours as item → score (the same set as `neighbours(x, k)`), for membership tests.
   * When the row holds no more than `k` items no sort is needed.
   */
  topNeighbours(x: string, k: number): ReadonlyMap<string, number> {
    const slot = this.slotOf(x);
    if (slot === NONE) return EMPTY;
    const size = this.sizes[slot] ?? 0;
    if (size > k) return new Map(this.neighbours(x, k).map((n) => [n.item, n.score]));
    const out = new Map<string, number>();
    const { keys, values } = this.arena;
    const offset = this.offsets[slot] ?? 0;
    for (let i = offset; i < offset + size; i += 1) out.set(this.names[keys[i] ?? 0] ?? '', values[i] ?? 0);
    return out;
  }

  /** Arena cells reserved (rows' capacity plus free blocks and growth room), for tests. */
  get reservedCells(): number {
    return this.arena.capacity;
  }

  private slotOf(item: string): number {
    const index = this.indexOf.get(item);
    return index === undefined ? NONE : (this.rowOf[index] ?? NONE);
  }

  private add(from: string, to: string, w: number): void {
    const owner = this.intern(from);
    let slot = this.rowOf[owner] ?? NONE;
    if (slot === NONE) {
      slot = this.newRow(owner, INITIAL_ENTRIES);
    } else if (slot !== this.newest) {
      this.unlink(slot);
      this.linkNewest(slot);
    }
    const target = this.intern(to);
    const offset = this.offsets[slot] ?? 0;
    const size = this.sizes[slot] ?? 0;
    const keys = this.arena.keys;
    let i = offset;
    const end = offset + size;
    while (i < end && keys[i] !== target) i += 1;
    if (i < end) {
      const values = this.arena.values;
      values[i] = (values[i] ?? 0) + w;
    } else {
      if (size === this.capacities[slot]) this.growRow(slot);
      const at = (this.offsets[slot] ?? 0) + size;
      this.arena.keys[at] = target;
      this.arena.values[at] = w;
      this.sizes[slot] = size + 1;
    }
    if (size + 1 > 2 * this.options.neighbours) this.prune(slot);
    if (this.rowCount > this.options.maxItems) this.dropRow(this.oldest);
  }

  private newRow(owner: number, entries: number): number {
    const slot = this.pool.take();
    this.offsets[slot] = this.arena.alloc(entries);
    this.sizes[slot] = 0;
    this.capacities[slot] = entries;
    this.owners[slot] = owner;
    this.rowOf[owner] = slot;
    this.linkNewest(slot);
    this.rowCount += 1;
    return slot;
  }

  private dropRow(slot: number): void {
    if (slot === NONE) return;
    this.unlink(slot);
    this.rowOf[this.owners[slot] ?? 0] = NONE;
    this.arena.release(this.offsets[slot] ?? 0, this.capacities[slot] ?? 0);
    this.pool.release(slot);
    this.rowCount -= 1;
    if (this.arena.fragmented) this.repack();
  }

  private linkNewest(slot: number): void {
    this.older[slot] = this.newest;
    this.newer[slot] = NONE;
    if (this.newest === NONE) this.oldest = slot;
    else this.newer[this.newest] = slot;
    this.newest = slot;
  }

  private unlink(slot: number): void {
    const before = this.older[slot] ?? NONE;
    const after = this.newer[slot] ?? NONE;
    if (before === NONE) this.oldest = after;
    else this.newer[before] = after;
    if (after === NONE) this.newest = before;
    else this.older[after] = before;
  }

  private growRow(slot: number): void {
    const capacity = this.capacities[slot] ?? 0;
    const size = Math.min(capacity + GROWTH, this.maxEntries);
    const from = this.offsets[slot] ?? 0;
    const to = this.arena.alloc(size);
    const { keys, values } = this.arena;
    keys.copyWithin(to, from, from + capacity);
    values.copyWithin(to, from, from + capacity);
    this.arena.release(from, capacity);
    this.offsets[slot] = to;
    this.capacities[slot] = size;
    if (this.arena.fragmented) this.repack();
  }

  private repack(): void {
    this.arena.repack((move) => {
      for (let slot = this.oldest; slot !== NONE; slot = this.newer[slot] ?? NONE) this.offsets[slot] = move(this.offsets[slot] ?? 0, this.capacities[slot] ?? 0);
    });
  }

  /** Keeps the `neighbours` best entries, best first (ties keep their order, as a stable sort does). */
  private prune(slot: number): void {
    const offset = this.offsets[slot] ?? 0;
    const size = this.sizes[slot] ?? 0;
    const { keys, values } = this.arena;
    const order = Array.from({ length: size }, (_, i) => offset + i);
    order.sort((a, b) => (values[b] ?? 0) - (values[a] ?? 0));
    const kept = Math.min(size, this.options.neighbours);
    const keptKeys = order.slice(0, kept).map((i) => keys[i] ?? 0);
    const keptValues = order.slice(0, kept).map((i) => values[i] ?? 0);
    for (let j = 0; j < kept; j += 1) {
      keys[offset + j] = keptKeys[j] ?? 0;
      values[offset + j] = keptValues[j] ?? 0;
    }
    this.sizes[slot] = kept;
  }

  private intern(item: string): number {
    const known = this.indexOf.get(item);
    if (known !== undefined) return known;
    const index = this.names.length;
    this.names.push(item);
    this.indexOf.set(item, index);
    if (index === this.rowOf.length) {
      const rowOf = new Int32Array(Math.ceil(index * 1.5)).fill(NONE);
      rowOf.set(this.rowOf);
      this.rowOf = rowOf;
    }
    return index;
  }

  /** Rebuilds the name table from the names rows still use, as owners or as neighbours. */
  private compact(): void {
    const names: string[] = [];
    const indexOf = new Map<string, number>();
    const renamed = (old: number): number => {
      const name = this.names[old] ?? '';
      let index = indexOf.get(name);
      if (index === undefined) {
        index = names.length;
        names.push(name);
        indexOf.set(name, index);
      }
      return index;
    };
    const keys = this.arena.keys;
    const rowOf = new Int32Array(Math.max(1024, Math.ceil(this.rowOf.length / 2))).fill(NONE);
    for (let slot = this.oldest; slot !== NONE; slot = this.newer[slot] ?? NONE) {
      const owner = renamed(this.owners[slot] ?? 0);
      this.owners[slot] = owner;
      const offset = this.offsets[slot] ?? 0;
      for (let i = offset; i < offset + (this.sizes[slot] ?? 0); i += 1) keys[i] = renamed(keys[i] ?? 0);
    }
    this.names = names;
    this.indexOf = indexOf;
    this.liveNames = names.length;
    this.rowOf = rowOf.length > names.length ? rowOf : new Int32Array(Math.ceil(names.length * 1.5)).fill(NONE);
    for (let slot = this.oldest; slot !== NONE; slot = this.newer[slot] ?? NONE) this.rowOf[this.owners[slot] ?? 0] = slot;
  }

  /** Everything learned, in eviction order, for a checkpoint. */
  snapshot(): CovisitationSnapshot {
    const { keys, values } = this.arena;
    const rows: [string, [string, number][]][] = [];
    for (let slot = this.oldest; slot !== NONE; slot = this.newer[slot] ?? NONE) {
      const offset = this.offsets[slot] ?? 0;
      const entries = Array.from({ length: this.sizes[slot] ?? 0 }, (_, i): [string, number] => [this.names[keys[offset + i] ?? 0] ?? '', values[offset + i] ?? 0]);
      rows.push([this.names[this.owners[slot] ?? 0] ?? '', entries]);
    }
    return { landmark: this.decay.state, rows };
  }

  /** Replaces what was learned with a checkpoint's. */
  restore(snapshot: CovisitationSnapshot): void {
    this.decay.restore(snapshot.landmark);
    this.arena.clear();
    this.oldest = NONE;
    this.newest = NONE;
    this.rowCount = 0;
    this.pool.clear();
    this.names = [];
    this.indexOf = new Map();
    this.liveNames = 0;
    this.rowOf = new Int32Array(1024).fill(NONE);
    for (const [item, entries] of snapshot.rows) {
      const kept = entries.slice(0, this.maxEntries);
      const owner = this.intern(item);
      if (this.rowOf[owner] !== NONE) continue;
      const slot = this.newRow(owner, Math.max(INITIAL_ENTRIES, Math.min(this.maxEntries, kept.length)));
      const offset = this.offsets[slot] ?? 0;
      kept.forEach(([other, score], i) => {
        this.arena.keys[offset + i] = this.intern(other);
        this.arena.values[offset + i] = score;
      });
      this.sizes[slot] = kept.length;
    }
  }
}
