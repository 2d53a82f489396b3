import { concatMap, from, of, type MonoTypeOperatorFunction } from 'rxjs';
import type { WindowedBatch } from '../types.ts';

/** One next-item example: the session's items before it (newest first) and the item taken. */
export interface ModelExample {
  readonly context: readonly string[];
  readonly target: string;
}

/** Hands one micro-batch to the model; a promise means "wait before handing over the next one". */
export type TrainModel = (examples: readonly ModelExample[]) => void | Promise<void>;

/** Context items handed to the model per example. */
const CONTEXT = 10;

/** The next-item examples of a batch's on-time item events, in order. */
export function modelExamples(batch: WindowedBatch): ModelExample[] {
  const out: ModelExample[] = [];
  for (const { ingested, before } of batch.applied) {
    const target = ingested.event.item_id;
    if (target === undefined || before.sequence.length === 0 || ingested.event.type === 'search' || ingested.event.type === 'remove_from_cart') continue;
    out.push({ context: before.sequence.slice(-CONTEXT).reverse(), target });
  }
  return out;
}

/** Examples cut into micro-batches of `size`. */
export function microBatches(examples: readonly ModelExample[], size: number): ModelExample[][] {
  const out: ModelExample[][] = [];
  for (let i = 0; i < examples.length; i += size) out.push(examples.slice(i, i + size));
  return out;
}

/** Trains the micro-batches in order; stays synchronous until the model asks to wait. */
export function trainAll(batches: readonly ModelExample[][], from: number, train: TrainModel): Promise<void> | undefined {
  for (let i = from; i < batches.length; i += 1) {
    const wait = train(batches[i] ?? []);
    if (wait !== undefined) return wait.then(() => trainAll(batches, i + 1, train));
  }
  return undefined;
}

/**
 * Trains the online model on the batch's on-time item events, in micro-batches of `batchSize`
 * examples, after the ranker has learned from the same events (so the model feature it used was
 * measured before the update: prequential). A model training on another thread may ask the stream
 * to wait (its queue is full): the batch moves on once the model took all its examples.
 *
 * @example windowed$.pipe(learnCandidates(state), learnModel((examples) => model.trainBatch(examples), 64))
 */
export function learnModel<T extends WindowedBatch>(train: TrainModel, batchSize: number): MonoTypeOperatorFunction<T> {
  return concatMap((batch) => {
    const wait = trainAll(microBatches(modelExamples(batch), batchSize), 0, train);
    return wait === undefined ? of(batch) : from(wait.then(() => batch));
  });
}
