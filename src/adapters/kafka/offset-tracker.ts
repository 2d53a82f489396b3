/**
 * Tracks batches of one partition in fetch order and tells which offset may be committed: the end of
 * the longest prefix of acknowledged batches. A rebalance or a seek back starts a new generation, so a
 * late acknowledgement from before it can never commit past records that will be redelivered.
 */
export class OffsetTracker {
  private generation = 0;
  private readonly pending: { readonly lastOffset: bigint; readonly generation: number; done: boolean }[] = [];
  private highest: bigint = -1n;

  /** Registers a batch; returns a token for `ack`. */
  track(firstOffset: bigint, lastOffset: bigint): { readonly lastOffset: bigint; readonly generation: number } {
    if (firstOffset <= this.highest) this.reset();
    const entry = { lastOffset, generation: this.generation, done: false };
    this.pending.push(entry);
    this.highest = lastOffset;
    return entry;
  }

  /** Marks a batch done; returns the next offset to commit (last + 1) when the committable prefix grew. */
  ack(token: { readonly lastOffset: bigint; readonly generation: number }): bigint | null {
    if (token.generation !== this.generation) return null;
    const entry = this.pending.find((candidate) => candidate === token);
    if (entry === undefined) return null;
    entry.done = true;
    let commit: bigint | null = null;
    while (this.pending.length > 0 && this.pending[0]?.done === true) {
      commit = (this.pending.shift()?.lastOffset ?? -1n) + 1n;
    }
    return commit;
  }

  /** Forgets everything in flight (partition revoked or repositioned). */
  reset(): void {
    this.generation += 1;
    this.pending.length = 0;
    this.highest = -1n;
  }

  get inFlightBatches(): number {
    return this.pending.length;
  }
}
