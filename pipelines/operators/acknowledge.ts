import { from, map, mergeMap, type MonoTypeOperatorFunction } from 'rxjs';
import type { SourceBatch } from '../../src/ports/event-source.ts';

/**
 * Acknowledges each batch to its source once every sink confirmed it; the source then commits the
 * offsets of the acknowledged prefix of its partition.
 *
 * @example stored$.pipe(acknowledge())
 */
export function acknowledge<T extends { readonly source: SourceBatch }>(concurrency = 16): MonoTypeOperatorFunction<T> {
  return mergeMap((batch) => from(batch.source.ack()).pipe(map(() => batch)), concurrency);
}
