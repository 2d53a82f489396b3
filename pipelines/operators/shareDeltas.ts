import { from, map, mergeMap, of, type MonoTypeOperatorFunction } from 'rxjs';
import { buildDeltas, isEmptyDelta, type DeltaSequence, type StateDelta } from '../../src/domain/state-delta.ts';
import type { FeedBatch } from '../types.ts';
import { modelExamples } from './learnModel.ts';

export interface ShareDeltasOptions {
  /** This process's name (engine.instance): receivers skip their own deltas. */
  readonly origin: string;
  readonly sequence: DeltaSequence;
  /** Whether model examples travel (the model is on). */
  readonly examples: boolean;
  /** The ranker's own change since the last call (SharedParameters.take), null when none. */
  readonly rankerChange: () => Float64Array | null;
  /** Publishes in order; resolves when the broker acknowledged. */
  readonly publish: (deltas: readonly StateDelta[]) => Promise<void>;
  readonly wallMs: () => number;
  /** Batches whose deltas are being published at once. */
  readonly concurrency: number;
}

/**
 * Publishes what each batch taught the shared state (observations, released trending counts, model
 * examples, the ranker's change) for the other engine processes, and emits the batch once the broker
 * has it: a batch is acknowledged, and its offsets committed, only after its delta is durable, so a
 * process that takes the partition over knows which events were already learned.
 *
 * @example written$.pipe(shareDeltas({ origin, sequence, examples: true, rankerChange, publish, wallMs: Date.now, concurrency: 64 }))
 */
export function shareDeltas(options: ShareDeltasOptions): MonoTypeOperatorFunction<FeedBatch> {
  return mergeMap((batch) => {
    const last = batch.source.records.at(-1);
    const learned = batch.learned;
    if (last === undefined || learned === undefined) return of(batch);
    const parts = {
      origin: options.origin,
      partition: batch.source.partition,
      lastOffset: last.offset,
      observations: learned.observations,
      counts: learned.counts,
      examples: options.examples ? modelExamples(batch) : [],
      ranker: options.rankerChange(),
    };
    if (isEmptyDelta(parts)) return of(batch);
    return from(options.publish(buildDeltas(parts, options.sequence, options.wallMs()))).pipe(map(() => batch));
  }, options.concurrency);
}
