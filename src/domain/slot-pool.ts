/** The typed arrays per-slot columns are kept in. */
export type Column = Float64Array | Float32Array | Int32Array;

/** A copy of `from` in a new array of the same kind, `length` long (the tail zeroed). */
export function resized<T extends Column>(from: T, length: number): T {
  const to = new (from.constructor as new (length: number) => T)(length);
  to.set(from.subarray(0, Math.min(from.length, length)));
  return to;
}

/**
 * Slot numbers for state kept column-wise in typed arrays (one entry per slot in each column), so an
 * item costs a Map entry and a few bytes instead of an object. Released slots are handed out again
 * first; when a new slot number reaches the columns' length, `grow` is asked to resize every column
 * to half as long again (`resized`).
 */
export class SlotPool {
  private free: number[] = [];
  private next = 0;

  constructor(
    private length: number,
    private readonly grow: (length: number) => void,
  ) {}

  /** Slot numbers handed out so far, released ones included: every slot in use is below it. */
  get highWater(): number {
    return this.next;
  }

  take(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const slot = this.next;
    this.next += 1;
    if (slot >= this.length) {
      this.length = Math.max(slot + 1, Math.ceil(this.length * 1.5));
      this.grow(this.length);
    }
    return slot;
  }

  release(slot: number): void {
    this.free.push(slot);
  }

  /** Forgets every slot (the columns keep their length). */
  clear(): void {
    this.free = [];
    this.next = 0;
  }
}
