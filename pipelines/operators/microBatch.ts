import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

export interface MicroBatchOptions<T> {
  /** Emit once the buffered size reaches this. */
  readonly maxSize: number;
  /** ...or once the oldest buffered value is this old (scheduler time). */
  readonly maxWaitMs: number;
  /** Size of one value (default 1). */
  readonly sizeOf?: (value: T) => number;
  readonly scheduler?: SchedulerLike;
}

/**
 * Groups values into arrays by size or age, whichever comes first. Unlike `bufferTime`, the timer
 * starts with the first buffered value, so an idle stream emits nothing and a lone value waits at
 * most `maxWaitMs`. The rest is flushed on completion; nothing is dropped.
 *
 * @example rows$.pipe(microBatch({ maxSize: 5000, maxWaitMs: 250, sizeOf: (r) => r.length }))
 */
export function microBatch<T>(options: MicroBatchOptions<T>): OperatorFunction<T, T[]> {
  const sizeOf = options.sizeOf ?? (() => 1);
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let buffer: T[] = [];
      let size = 0;
      let timer: Subscription | null = null;
      const flush = (): void => {
        timer?.unsubscribe();
        timer = null;
        if (buffer.length === 0) return;
        const out = buffer;
        buffer = [];
        size = 0;
        subscriber.next(out);
      };
      const subscription = source.subscribe({
        next: (value) => {
          buffer.push(value);
          size += sizeOf(value);
          if (size >= options.maxSize) flush();
          else timer ??= scheduler.schedule(flush, options.maxWaitMs);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
