import { Observable, Subject } from 'rxjs';
import type { Assignment, EventSource, SourceBatch, SourceRecord } from '../../ports/event-source.ts';

export interface MemorySourceOptions {
  readonly topic: string;
  readonly partition: number;
  readonly batchSize: number;
  /** Batches handed out but not yet acknowledged before the source waits. */
  readonly maxInFlightBatches: number;
}

/**
 * An in-process event source over an async iterable of records, with the Kafka source's contract:
 * batches of one partition in order, bounded unacknowledged work, completion when the input ends and
 * every batch was acknowledged. Used by the evaluation harness and tests, where no broker is wanted.
 */
export class MemoryEventSource implements EventSource {
  private stopped = false;
  private readonly assignments$ = new Subject<Assignment>();

  constructor(
    private readonly records: AsyncIterable<Buffer>,
    private readonly options: MemorySourceOptions,
  ) {}

  batches(): Observable<SourceBatch> {
    return new Observable<SourceBatch>((subscriber) => {
      let inFlight = 0;
      let wake: (() => void) | null = null;
      const settle = (): void => {
        const w = wake;
        wake = null;
        w?.();
      };
      const run = async (): Promise<void> => {
        let offset = 0;
        let chunk: SourceRecord[] = [];
        const emit = async (): Promise<void> => {
          while (inFlight >= this.options.maxInFlightBatches) await new Promise<void>((resolve) => (wake = resolve));
          const records = chunk;
          chunk = [];
          inFlight += 1;
          let acked = false;
          subscriber.next({
            topic: this.options.topic,
            partition: this.options.partition,
            records,
            receivedAt: Date.now(),
            ack: async () => {
              if (acked) return;
              acked = true;
              inFlight -= 1;
              settle();
            },
          });
        };
        for await (const value of this.records) {
          if (this.stopped || subscriber.closed) return;
          chunk.push({ offset: String(offset), key: null, value, timestamp: Date.now() });
          offset += 1;
          if (chunk.length >= this.options.batchSize) await emit();
        }
        if (chunk.length > 0) await emit();
        while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
        subscriber.complete();
      };
      run().catch((error: unknown) => subscriber.error(error));
      return () => {
        this.stopped = true;
        settle();
      };
    });
  }

  assignments(): Observable<Assignment> {
    return this.assignments$.asObservable();
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}
