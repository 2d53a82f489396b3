/**
 * Trainable arrays that several processes update at once, each from its own events: a process sends
 * the change it made since its last delta (`take`) and adds the changes of the others (`apply`).
 * Summing the deltas is what one process would have reached by taking every step itself, up to the
 * order of the steps; each process's optimiser state (Adagrad sums) stays its own.
 */
export class SharedParameters {
  private readonly published: Float64Array[];
  readonly length: number;

  constructor(private readonly arrays: readonly Float64Array[]) {
    this.published = arrays.map((array) => array.slice());
    this.length = arrays.reduce((sum, array) => sum + array.length, 0);
  }

  /** This process's own change since the previous call (or `rebase`), or null when there is none. */
  take(): Float64Array | null {
    const out = new Float64Array(this.length);
    let at = 0;
    let changed = false;
    this.arrays.forEach((array, index) => {
      const published = this.published[index] ?? array;
      for (let i = 0; i < array.length; i += 1) {
        const delta = (array[i] ?? 0) - (published[i] ?? 0);
        if (delta !== 0) changed = true;
        out[at + i] = delta;
      }
      published.set(array);
      at += array.length;
    });
    return changed ? out : null;
  }

  /** Adds another process's change; false (nothing applied) when it is for parameters of another shape. */
  apply(delta: Float64Array): boolean {
    if (delta.length !== this.length) return false;
    for (const value of delta) if (!Number.isFinite(value)) return false;
    let at = 0;
    this.arrays.forEach((array, index) => {
      const published = this.published[index] ?? array;
      for (let i = 0; i < array.length; i += 1) {
        const value = delta[at + i] ?? 0;
        array[i] = (array[i] ?? 0) + value;
        if (published !== array) published[i] = (published[i] ?? 0) + value;
      }
      at += array.length;
    });
    return true;
  }

  /** Takes the current values as the published ones (after a restore: nothing of it is this process's change). */
  rebase(): void {
    this.arrays.forEach((array, index) => this.published[index]?.set(array));
  }
}
