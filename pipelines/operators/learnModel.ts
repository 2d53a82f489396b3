import { map, type MonoTypeOperatorFunction } from 'rxjs';
import type { WindowedBatch } from '../types.ts';

/** One next-item example: the session's items before it (newest first) and the item taken. */
export interface ModelExample {
  readonly context: readonly string[];
  readonly target: string;
}

/** Context items handed to the model per example. */
const CONTEXT = 10;

/**
 * Trains the online model on the batch's on-time item events, in micro-batches of `batchSize`
 * examples, after the ranker has learned from the same events (so the model feature it used was
 * measured before the update: prequential).
 *
 * @example windowed$.pipe(learnCandidates(state), learnModel((examples) => model.trainBatch(examples), 64))
 */
export function learnModel<T extends WindowedBatch>(train: (examples: readonly ModelExample[]) => void, batchSize: number): MonoTypeOperatorFunction<T> {
  return map((batch) => {
    let examples: ModelExample[] = [];
    for (const { ingested, before } of batch.applied) {
      const target = ingested.event.item_id;
      if (target === undefined || before.sequence.length === 0 || ingested.event.type === 'search' || ingested.event.type === 'remove_from_cart') continue;
      examples.push({ context: before.sequence.slice(-CONTEXT).reverse(), target });
      if (examples.length >= batchSize) {
        train(examples);
        examples = [];
      }
    }
    if (examples.length > 0) train(examples);
    return batch;
  });
}
