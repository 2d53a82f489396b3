/**
 * Forward decay (Cormode et al.): a weight w at event time t is stored as w·2^((t−L)/h) for a landmark
 * L. Stored scores of different items then compare directly, without decaying every entry on each
 * read; an untouched item's stored score never changes. The landmark moves when exponents grow large.
 */
export class ForwardDecay {
  private landmark: number | null = null;

  constructor(private readonly halfLifeMs: number) {}

  /** Stored-score weight of an observation at `ts`; `rebase` is called when the landmark had to move. */
  weight(ts: number, rebase: (factor: number) => void): number {
    if (this.landmark === null) this.landmark = ts;
    let exponent = (ts - this.landmark) / this.halfLifeMs;
    if (exponent > 60) {
      const shift = exponent - 1;
      this.landmark += shift * this.halfLifeMs;
      rebase(2 ** -shift);
      exponent = (ts - this.landmark) / this.halfLifeMs;
    }
    return 2 ** exponent;
  }

  /** The landmark, for checkpoints (null before the first observation). */
  get state(): number | null {
    return this.landmark;
  }

  restore(landmark: number | null): void {
    this.landmark = landmark;
  }

  /** Converts a stored score to its decayed value at time `ts`. */
  valueAt(stored: number, ts: number): number {
    if (this.landmark === null) return stored;
    return stored * 2 ** -((ts - this.landmark) / this.halfLifeMs);
  }
}
