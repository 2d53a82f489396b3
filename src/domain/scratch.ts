/**
 * A reusable Float64Array for work that lives only during one call. A fresh typed array per call
 * puts its memory outside V8's heap, and at a thousand lists a second that external memory, not the
 * heap, is what triggers full collections.
 */
export class Scratch {
  private buffer: Float64Array;

  constructor(initial = 256) {
    this.buffer = new Float64Array(initial);
  }

  /** A zeroed view of `length` values; valid until the next `take` of this scratch. */
  take(length: number): Float64Array {
    if (length > this.buffer.length) this.buffer = new Float64Array(Math.max(length, 2 * this.buffer.length));
    const view = this.buffer.subarray(0, length);
    view.fill(0);
    return view;
  }
}
