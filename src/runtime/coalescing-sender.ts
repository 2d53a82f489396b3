interface Pending<T> {
  readonly items: readonly T[];
  readonly weight: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Sends lists of items in call order with one request in flight, joining the calls that arrive
 * meanwhile into the next request (whole calls, up to `maxWeight` per request unless one call alone is
 * heavier). Each call resolves once the request carrying its items succeeded, or rejects with its error.
 *
 * Why: the engine published each micro-batch's state deltas in its own Kafka request, one at a time;
 * a steady stream arrives as ~100 small batches a second, so they queued behind each other's round
 * trips for most of a second before the batches could be acknowledged.
 */
export class CoalescingSender<T> {
  private readonly queue: Pending<T>[] = [];
  private sending = false;

  constructor(
    private readonly send: (items: readonly T[]) => Promise<void>,
    private readonly weigh: (item: T) => number,
    private readonly maxWeight: number,
  ) {}

  publish(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ items, weight: items.reduce((sum, item) => sum + this.weigh(item), 0), resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  /** Calls waiting for a request (not counting the one in flight). */
  get waiting(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const calls: Pending<T>[] = [];
      let weight = 0;
      for (const next of this.queue) {
        if (calls.length > 0 && weight + next.weight > this.maxWeight) break;
        calls.push(next);
        weight += next.weight;
      }
      this.queue.splice(0, calls.length);
      try {
        await this.send(calls.flatMap((call) => call.items));
        for (const call of calls) call.resolve();
      } catch (error) {
        for (const call of calls) call.reject(error);
      }
    }
    this.sending = false;
  }
}
