import { from, map, mergeMap, type MonoTypeOperatorFunction } from 'rxjs';
import type { AnalyticsRows } from '../../src/ports/analytics-sink.ts';
import type { FeedBatch } from '../types.ts';

/**
 * Hands each batch's events, served lists and dead letters to the analytics sink (which batches
 * inserts) and emits the batch once they are stored. Up to `concurrency` batches wait at once, so the
 * sink can fill bigger inserts; offsets stay ordered because the source commits only acknowledged prefixes.
 *
 * @example written$.pipe(writeAnalytics((rows) => clickhouse.append(rows), 8))
 */
export function writeAnalytics(append: (rows: AnalyticsRows) => Promise<void>, concurrency: number): MonoTypeOperatorFunction<FeedBatch> {
  return mergeMap(
    (batch) =>
      from(append({ events: batch.events, recommendations: batch.feeds, deadLetters: batch.deadLetters })).pipe(map(() => batch)),
    concurrency,
  );
}
