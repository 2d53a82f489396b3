import { resized } from '../domain/slot-pool.ts';

/**
 * Gradient rows for the embedding rows a batch touched, keyed by item index. `slotOf` is a full-size
 * index → slot map reset only at the touched entries, so a batch costs O(touched rows), never O(items).
 */
export class SparseGrad {
  /** Item index of each used slot. */
  rows: Int32Array;
  /** Row gradients, `dim` floats per slot. */
  values: Float32Array;
  /** Scalar gradient per slot (the bias, for output rows). */
  scalars: Float32Array;
  count = 0;
  private readonly slotOf: Int32Array;

  constructor(readonly dim: number, maxItems: number, initialSlots = 1024) {
    this.slotOf = new Int32Array(maxItems).fill(-1);
    this.rows = new Int32Array(initialSlots);
    this.values = new Float32Array(initialSlots * dim);
    this.scalars = new Float32Array(initialSlots);
  }

  /** Slot of an item row, allocated (zeroed) on first use in this batch. */
  slot(row: number): number {
    const known = this.slotOf[row] ?? -1;
    if (known >= 0) return known;
    if (this.count === this.rows.length) this.grow();
    const slot = this.count;
    this.count += 1;
    this.slotOf[row] = slot;
    this.rows[slot] = row;
    this.values.fill(0, slot * this.dim, (slot + 1) * this.dim);
    this.scalars[slot] = 0;
    return slot;
  }

  clear(): void {
    for (let i = 0; i < this.count; i += 1) this.slotOf[this.rows[i] ?? 0] = -1;
    this.count = 0;
  }

  private grow(): void {
    const size = this.rows.length * 2;
    this.rows = resized(this.rows, size);
    this.values = resized(this.values, size * this.dim);
    this.scalars = resized(this.scalars, size);
  }
}
