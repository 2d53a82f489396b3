import { Subject, concatMap, type Subscription } from 'rxjs';
import { microBatch } from '../../pipelines/operators/microBatch.ts';
import type { AnalyticsRows, AnalyticsSink } from '../ports/analytics-sink.ts';

interface Pending {
  readonly rows: AnalyticsRows;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export interface BatchingOptions {
  readonly maxRows: number;
  readonly maxWaitMs: number;
}

const rowCount = (rows: AnalyticsRows): number => rows.events.length + rows.recommendations.length + rows.deadLetters.length + (rows.items?.length ?? 0);

/**
 * Collects appends into inserts of up to `maxRows` rows or `maxWaitMs` of waiting, one insert at a
 * time. Each `append` resolves when the insert holding its rows succeeded, and rejects with its error.
 */
export class BatchingAnalyticsSink implements AnalyticsSink {
  private readonly queue = new Subject<Pending>();
  private readonly subscription: Subscription;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    insert: (rows: AnalyticsRows) => Promise<void>,
    options: BatchingOptions,
  ) {
    this.subscription = this.queue
      .pipe(
        microBatch({ maxSize: options.maxRows, maxWaitMs: options.maxWaitMs, sizeOf: (p: Pending) => rowCount(p.rows) }),
        concatMap(async (batch) => {
          const merged: AnalyticsRows = {
            events: batch.flatMap((p) => p.rows.events),
            recommendations: batch.flatMap((p) => p.rows.recommendations),
            deadLetters: batch.flatMap((p) => p.rows.deadLetters),
            items: batch.flatMap((p) => p.rows.items ?? []),
          };
          try {
            await insert(merged);
            for (const p of batch) p.resolve();
          } catch (error) {
            for (const p of batch) p.reject(error);
          }
        }),
      )
      .subscribe();
  }

  append(rows: AnalyticsRows): Promise<void> {
    if (rowCount(rows) === 0) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.queue.next({ rows, resolve, reject }));
    this.idle = done.catch(() => undefined);
    return done;
  }

  /** Resolves once everything appended so far is stored (or failed). */
  async flush(): Promise<void> {
    await this.idle;
  }

  async close(): Promise<void> {
    this.queue.complete();
    await this.idle;
    this.subscription.unsubscribe();
  }
}
