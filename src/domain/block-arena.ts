const MIN_CELLS = 1024;
// Grows by an eighth, not doubling: the whole reservation counts as memory, and rows arrive steadily.
const GROWTH = 1.125;

/**
 * Variable-size blocks of (int32 key, float32 value) cells in two shared typed arrays, with one free
 * list per block capacity. Many short rows each in their own typed array pay ~200 bytes of object and
 * backing-store overhead apiece, more than their cells; here a row costs its cells only.
 *
 * `keys` and `values` are replaced when the arena grows: read them again after `alloc`.
 */
export class BlockArena {
  keys = new Int32Array(MIN_CELLS);
  values = new Float32Array(MIN_CELLS);
  /** Cells handed out so far; everything past it is unused. */
  private top = 0;
  /** Cells in released blocks, waiting for reuse. */
  private freeCells = 0;
  private readonly free = new Map<number, number[]>();

  /** Offset of a block of `capacity` cells (a freed block of the same capacity when there is one). */
  alloc(capacity: number): number {
    const reused = this.free.get(capacity)?.pop();
    if (reused !== undefined) {
      this.freeCells -= capacity;
      return reused;
    }
    if (this.top + capacity > this.keys.length) this.grow(this.top + capacity);
    const offset = this.top;
    this.top += capacity;
    return offset;
  }

  release(offset: number, capacity: number): void {
    let list = this.free.get(capacity);
    if (list === undefined) {
      list = [];
      this.free.set(capacity, list);
    }
    list.push(offset);
    this.freeCells += capacity;
  }

  /**
   * True when released blocks hold more than an eighth of the cells in use: rows that grew left their
   * smaller blocks behind, and only rows of that size can reuse them.
   */
  get fragmented(): boolean {
    return this.freeCells > (this.top - this.freeCells) / 8 && this.top > MIN_CELLS;
  }

  /**
   * Copies the live blocks to the front of new arrays with room for an eighth more, and forgets the
   * free ones. `visit` must call `move` once per live block; `move` returns the block's new offset.
   */
  repack(visit: (move: (offset: number, capacity: number) => number) => void): void {
    const live = this.top - this.freeCells;
    const keys = new Int32Array(Math.max(MIN_CELLS, Math.ceil(live * GROWTH)));
    const values = new Float32Array(keys.length);
    let top = 0;
    visit((offset, capacity) => {
      if (top + capacity > keys.length) throw new RangeError('BlockArena.repack: more live cells than counted');
      keys.set(this.keys.subarray(offset, offset + capacity), top);
      values.set(this.values.subarray(offset, offset + capacity), top);
      top += capacity;
      return top - capacity;
    });
    this.keys = keys;
    this.values = values;
    this.top = top;
    this.freeCells = 0;
    this.free.clear();
  }

  /** Multiplies every value handed out (free blocks too: they are overwritten before use). */
  scale(factor: number): void {
    const values = this.values;
    for (let i = 0; i < this.top; i += 1) values[i] = (values[i] ?? 0) * factor;
  }

  /** Drops every block. */
  clear(): void {
    this.keys = new Int32Array(MIN_CELLS);
    this.values = new Float32Array(MIN_CELLS);
    this.top = 0;
    this.freeCells = 0;
    this.free.clear();
  }

  /** Cells reserved, for memory accounting and tests. */
  get capacity(): number {
    return this.keys.length;
  }

  private grow(needed: number): void {
    const length = Math.max(needed, Math.ceil(this.keys.length * GROWTH));
    const keys = new Int32Array(length);
    keys.set(this.keys.subarray(0, this.top));
    const values = new Float32Array(length);
    values.set(this.values.subarray(0, this.top));
    this.keys = keys;
    this.values = values;
  }
}
