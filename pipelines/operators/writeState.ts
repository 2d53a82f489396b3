import { concatMap, from, map, type MonoTypeOperatorFunction } from 'rxjs';
import type { StateWrites } from '../../src/ports/state-store.ts';
import type { FeedBatch } from '../types.ts';

/**
 * Writes each batch's features and feeds to the serving store, one batch at a time and in order, so a
 * newer list for a key can never be overtaken by an older one. Emits the batch once the store acknowledged.
 *
 * @example feeds$.pipe(writeState((writes) => redis.write(writes)))
 */
export function writeState(write: (writes: StateWrites) => Promise<void>): MonoTypeOperatorFunction<FeedBatch> {
  return concatMap((batch) => {
    if (batch.features.length === 0 && batch.feeds.length === 0) return [batch];
    return from(write({ features: batch.features, feeds: batch.feeds })).pipe(map(() => batch));
  });
}
