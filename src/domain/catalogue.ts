import { RecError } from '../errors.ts';
import { buildClusterIndex, extendClusterIndex, searchClusterIndex, type ClusterIndex } from '../model/cluster-index.ts';
import { attributeVector, normalise } from './content-features.ts';
import type { ItemUpdate } from './item-update.ts';

export interface CatalogueOptions {
  /** Items held; the least recently updated are forgotten first. */
  readonly maxItems: number;
  /** Length of the precomputed vectors; 0: the first vector sets it. */
  readonly vectorDims: number;
  /** Hashed attribute and text features per item. */
  readonly attributeDims: number;
  /** Seed of the content index's clustering (reproducible builds). */
  readonly seed?: number;
}

/** What the catalogue holds of an item (the latest update's attributes). */
export interface CatalogueItem {
  readonly ts: number;
  readonly category?: string;
  readonly brand?: string;
  readonly price?: number;
  readonly stock?: number;
  /** Row of the item's content vector. */
  readonly row: number;
}

export interface SimilarItem {
  readonly item: string;
  /** Cosine similarity of the item's content to the session's (−1 … 1). */
  readonly score: number;
}

export type CatalogueSnapshot = readonly ItemUpdate[];

/** Below this many items `similar` compares with every item (cheaper than keeping an index). */
const INDEX_MIN_ITEMS = 2048;
const INDEX_PROBES = 16;
/** Changes (updates of held items) after which the index is rebuilt, as vectors moved. */
const INDEX_REFRESH_CHANGES = 5000;
const RECENCY = 0.6;

/**
 * The item catalogue from the item-updates stream: each item's latest attributes, and a content
 * vector per item for "more like these" candidates. The content vector joins the precomputed vector
 * (any modality, unit length) and the hashed attribute and text features (unit length), each half
 * of the weight; a session's content vector is the recency-weighted sum of its items'. Nearest items
 * come through the same inverted-file index as the model's (`cluster-index.ts`), so a new item is
 * found from its first update, before anyone took it.
 */
export class Catalogue {
  private readonly items = new Map<string, CatalogueItem>();
  private readonly updates = new Map<string, ItemUpdate>();
  private readonly rowItems: (string | null)[] = [];
  private readonly freeRows: number[] = [];
  private vectorDims: number;
  private table = new Float32Array(0);
  private bias = new Float32Array(0);
  private index: ClusterIndex | null = null;
  private changesSinceIndex = 0;
  private version = 0;
  /** Items whose latest update says stock 0, kept as updates come (readers must not scan the catalogue). */
  private readonly soldOut = new Set<string>();
  private soldOutVersion = 0;

  constructor(private readonly options: CatalogueOptions) {
    this.vectorDims = options.vectorDims;
  }

  get size(): number {
    return this.items.size;
  }

  /** Floats per content row: precomputed part, then attribute part. */
  get width(): number {
    return this.vectorDims + this.options.attributeDims;
  }

  /** Items whose latest update says stock 0. */
  outOfStock(): string[] {
    return [...this.soldOut];
  }

  /** Bumps whenever the set of out-of-stock items changes. */
  get stockGeneration(): number {
    return this.soldOutVersion;
  }

  get(item: string): CatalogueItem | undefined {
    return this.items.get(item);
  }

  /** False only for an item the catalogue says is out of stock. */
  inStock(item: string): boolean {
    return this.items.get(item)?.stock !== 0;
  }

  /**
   * Takes an update; returns 'new' for an item not held before, 'updated', or 'stale' when a newer
   * update is already held. Throws a REC_SCHEMA error when its vector has another length than the
   * catalogue's (the record goes to the dead-letter queue).
   */
  apply(update: ItemUpdate): 'new' | 'updated' | 'stale' {
    const held = this.items.get(update.item_id);
    if (held !== undefined && held.ts > update.ts) return 'stale';
    const vector = update.vector;
    if (vector !== undefined) {
      if (this.vectorDims === 0) this.widen(vector.length);
      if (vector.length !== this.vectorDims) {
        throw new RecError('REC_SCHEMA', `vector has ${vector.length} dimensions; this catalogue's vectors have ${this.vectorDims} (catalogue.vectorDims, or the first vector's length)`);
      }
    }
    let row = held?.row;
    if (row === undefined) row = this.takeRow(update.item_id);
    else this.items.delete(update.item_id);
    this.write(row, update);
    this.items.set(update.item_id, {
      ts: update.ts,
      row,
      ...(update.category_id === undefined ? {} : { category: update.category_id }),
      ...(update.brand === undefined ? {} : { brand: update.brand }),
      ...(update.price === undefined ? {} : { price: update.price }),
      ...(update.stock === undefined ? {} : { stock: update.stock }),
    });
    this.updates.set(update.item_id, update);
    this.markStock(update.item_id, update.stock === 0);
    if (held !== undefined) this.changesSinceIndex += 1;
    this.version += 1;
    if (this.items.size > this.options.maxItems) this.forgetOldest();
    return held === undefined ? 'new' : 'updated';
  }

  /**
   * Up to `k` items whose content is most like that of `recent` (newest first, weighted 0.6 per step
   * back), best first, leaving out the recent items themselves and items out of stock.
   */
  similar(recent: readonly string[], k: number): SimilarItem[] {
    const width = this.width;
    if (width === 0 || this.items.size === 0) return [];
    const session = new Float32Array(width);
    let weight = 1;
    let known = 0;
    for (const item of recent) {
      const row = this.items.get(item)?.row;
      if (row !== undefined) {
        for (let d = 0; d < width; d += 1) session[d] = (session[d] ?? 0) + weight * (this.table[row * width + d] ?? 0);
        known += 1;
      }
      weight *= RECENCY;
    }
    if (known === 0) return [];
    normalise(session, 0, width);
    const skip = new Set(recent);
    const exclude = (row: number): boolean => {
      const item = this.rowItems[row];
      return item === null || item === undefined || skip.has(item) || this.items.get(item)?.stock === 0;
    };
    const table = { output: this.table, bias: this.bias, size: this.rowItems.length, dim: width, version: this.version };
    const best = searchClusterIndex(this.currentIndex(table), table, session, k, INDEX_PROBES, exclude);
    const out: SimilarItem[] = [];
    best.indices.forEach((row, i) => {
      const item = this.rowItems[row];
      const score = best.scores[i] ?? 0;
      if (item !== null && item !== undefined && score > 0) out.push({ item, score });
    });
    return out;
  }

  /** Every held update, oldest first (restoring them in order rebuilds the same catalogue). */
  snapshot(): CatalogueSnapshot {
    return [...this.items.keys()].map((item) => this.updates.get(item)).filter((update): update is ItemUpdate => update !== undefined);
  }

  restore(snapshot: CatalogueSnapshot): void {
    for (const update of snapshot) {
      try {
        this.apply(update);
      } catch {
        // Held before under another vector length: the attributes still count, the vector cannot.
        const { vector: _dropped, ...rest } = update;
        this.apply(rest);
      }
    }
  }

  private markStock(item: string, soldOut: boolean): void {
    if (soldOut === this.soldOut.has(item)) return;
    if (soldOut) this.soldOut.add(item);
    else this.soldOut.delete(item);
    this.soldOutVersion += 1;
  }

  private currentIndex(table: { output: Float32Array; bias: Float32Array; size: number; dim: number; version: number }): ClusterIndex {
    const index = this.index;
    const small = table.size < INDEX_MIN_ITEMS;
    if (index === null || index.dim !== table.dim || table.size > 2 * index.size || this.changesSinceIndex >= INDEX_REFRESH_CHANGES || (small && index.clusters !== 1)) {
      this.index = small ? wholeTable(table.size, table.dim) : buildClusterIndex(table, (this.options.seed ?? 1) + this.version);
      this.changesSinceIndex = 0;
    } else if (!small) {
      extendClusterIndex(index, table);
    }
    return this.index ?? wholeTable(table.size, table.dim);
  }

  private takeRow(item: string): number {
    const free = this.freeRows.pop();
    if (free !== undefined) {
      this.rowItems[free] = item;
      return free;
    }
    const row = this.rowItems.length;
    this.rowItems.push(item);
    const width = this.width;
    if ((row + 1) * width > this.table.length) {
      const grown = new Float32Array(Math.max(1024, 2 * (row + 1)) * width);
      grown.set(this.table);
      this.table = grown;
      this.bias = new Float32Array(grown.length / Math.max(1, width));
    }
    return row;
  }

  private write(row: number, update: ItemUpdate): void {
    const width = this.width;
    const base = row * width;
    this.table.fill(0, base, base + width);
    const half = Math.SQRT1_2;
    const vector = update.vector;
    if (vector !== undefined && this.vectorDims > 0) {
      for (let d = 0; d < this.vectorDims; d += 1) this.table[base + d] = vector[d] ?? 0;
      normalise(this.table, base, this.vectorDims);
      for (let d = 0; d < this.vectorDims; d += 1) this.table[base + d] = (this.table[base + d] ?? 0) * half;
    }
    if (this.options.attributeDims > 0) {
      attributeVector(update, this.options.attributeDims, this.table, base + this.vectorDims);
      for (let d = 0; d < this.options.attributeDims; d += 1) this.table[base + this.vectorDims + d] = (this.table[base + this.vectorDims + d] ?? 0) * half;
    }
  }

  /** The first vector fixes the precomputed part's length: rows are rewritten at the new width. */
  private widen(dims: number): void {
    this.vectorDims = dims;
    this.table = new Float32Array(Math.max(1024, this.rowItems.length) * this.width);
    this.bias = new Float32Array(this.table.length / this.width);
    this.rowItems.forEach((item, row) => {
      const update = item === null ? undefined : this.updates.get(item);
      if (update !== undefined) this.write(row, update);
    });
    this.index = null;
  }

  private forgetOldest(): void {
    const oldest = this.items.keys().next().value;
    if (oldest === undefined) return;
    const row = this.items.get(oldest)?.row;
    this.items.delete(oldest);
    this.updates.delete(oldest);
    this.markStock(oldest, false);
    if (row !== undefined) {
      this.rowItems[row] = null;
      this.table.fill(0, row * this.width, (row + 1) * this.width);
      this.freeRows.push(row);
    }
  }
}

/** One cluster holding every row: `searchClusterIndex` then scores them all (small catalogues). */
function wholeTable(size: number, dim: number): ClusterIndex {
  return {
    size,
    clusters: 1,
    dim,
    centroids: new Float32Array(dim + 1),
    offsets: Int32Array.from([0, size]),
    members: Int32Array.from({ length: size }, (_, row) => row),
    appended: [[]],
    covered: size,
  };
}
