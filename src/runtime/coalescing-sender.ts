interface Pending<T> {
  readonly items: readonly T[];
  readonly weights: readonly number[];
  /** Items of this call already handed to a request. */
  next: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Sends lists of items in call order with one request in flight, joining the calls that arrive
 * meanwhile into the next request, up to `maxWeight` per request (a single item heavier than that goes
 * alone). A heavy call is split over several requests. Each call resolves once every request carrying
 * its items succeeded, or rejects with the first error; its items not yet sent are then dropped.
 *
 * Why: the engine published each micro-batch's state deltas in its own Kafka request, one at a time;
 * a steady stream arrives as ~100 small batches a second, so they queued behind each other's round
 * trips for most of a second before the batches could be acknowledged. Why split: under overload one
 * micro-batch's deltas reached 17 records of ~256 KiB, a request the broker refused as too large.
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
      this.queue.push({ items, weights: items.map((item) => this.weigh(item)), next: 0, resolve, reject });
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
      const batch: T[] = [];
      const carried = new Set<Pending<T>>();
      let weight = 0;
      let handed = 0;
      for (const call of this.queue) {
        for (; call.next < call.items.length; call.next += 1) {
          const itemWeight = call.weights[call.next] ?? 0;
          if (batch.length > 0 && weight + itemWeight > this.maxWeight) break;
          batch.push(...call.items.slice(call.next, call.next + 1));
          weight += itemWeight;
          carried.add(call);
        }
        if (call.next < call.items.length) break;
        handed += 1;
      }
      // Calls whose last item rides on this request leave the queue; a call split further stays first.
      this.queue.splice(0, handed);
      try {
        await this.send(batch);
        for (const call of carried) if (call.next === call.items.length) call.resolve();
      } catch (error) {
        for (const call of carried) call.reject(error);
        // The rest of a failed call is not sent: its caller already has the error.
        const first = this.queue[0];
        if (first !== undefined && carried.has(first)) this.queue.shift();
      }
    }
    this.sending = false;
  }
}
