import { concatMap, from, type OperatorFunction } from 'rxjs';
import type { CandidateState } from '../../src/domain/candidate-state.ts';
import { deadLetterOf, decodeJson, type DecodeOptions } from '../../src/domain/decode.ts';
import type { DeadLetter } from '../../src/domain/event.ts';
import { checkDelta, decodeParameters, type StateDelta } from '../../src/domain/state-delta.ts';
import type { SourceBatch } from '../../src/ports/event-source.ts';
import type { Metrics } from '../../src/ports/metrics.ts';
import { microBatches, trainAll, type TrainModel } from './learnModel.ts';

export interface AppliedDeltaBatch {
  readonly source: SourceBatch;
  readonly deadLetters: readonly DeadLetter[];
}

export interface ApplyDeltasOptions {
  readonly candidates: CandidateState;
  /** True for a delta already in this process's state: its own, or one the restored checkpoint holds. */
  readonly known: (delta: StateDelta) => boolean;
  /** Called for every valid delta, applied or not (the events partition and offset it has learned up to). */
  readonly seen: (delta: StateDelta) => void;
  /** Delta-topic partition → next offset applied; updated with each record, for checkpoints. */
  readonly positions: Map<number, string>;
  readonly trainModel?: TrainModel;
  readonly modelBatchSize: number;
  readonly decode: DecodeOptions;
  readonly metrics: Metrics;
  readonly wallMs: () => number;
}

/**
 * Applies other processes' state deltas in log order: model examples are handed over first (the
 * model may ask to wait), then observations, released trending counts and the ranker change are
 * applied and the record's position noted in one synchronous step, so a checkpoint never holds half a
 * delta. Records that are not valid deltas become dead letters.
 */
export function applyDeltas(options: ApplyDeltasOptions): OperatorFunction<SourceBatch, AppliedDeltaBatch> {
  const { candidates, metrics } = options;
  const apply = async (source: SourceBatch): Promise<AppliedDeltaBatch> => {
    const deadLetters: DeadLetter[] = [];
    let applied = 0;
    let skipped = 0;
    for (const record of source.records) {
      const next = (BigInt(record.offset) + 1n).toString();
      const raw = { origin: { topic: source.topic, partition: source.partition, offset: record.offset }, key: record.key, value: record.value, receivedAt: source.receivedAt };
      const decoded = decodeJson(raw, options.decode, checkDelta, 'state delta');
      if (!decoded.ok) {
        deadLetters.push(decoded.deadLetter);
        options.positions.set(source.partition, next);
        continue;
      }
      const delta = decoded.value;
      options.seen(delta);
      if (options.known(delta)) {
        skipped += 1;
        options.positions.set(source.partition, next);
        continue;
      }
      if (options.trainModel !== undefined && delta.examples.length > 0) {
        const wait = trainAll(microBatches(delta.examples, options.modelBatchSize), 0, options.trainModel);
        if (wait !== undefined) await wait;
      }
      for (const observation of delta.observations) candidates.absorb(observation);
      candidates.absorbCounts(delta.counts);
      if (delta.ranker !== undefined && !candidates.recommender.ranker.applyShared(decodeParameters(delta.ranker))) {
        deadLetters.push(deadLetterOf(raw, options.decode, 'REC_SCHEMA', `ranker change of ${delta.origin} does not fit this ranker (other features or shape): observations applied, ranker change ignored`));
      }
      options.positions.set(source.partition, next);
      applied += 1;
      metrics.stateDeltas('applied', 1, Math.max(0, options.wallMs() - delta.sentAt) / 1000);
    }
    if (applied > 0) candidates.refresh();
    if (skipped > 0) metrics.stateDeltas('skipped', skipped, null);
    return { source, deadLetters };
  };
  return concatMap((source) => from(apply(source)));
}
