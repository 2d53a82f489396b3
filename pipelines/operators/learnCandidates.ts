import { map, type MonoTypeOperatorFunction } from 'rxjs';
import type { CandidateState } from '../../src/domain/candidate-state.ts';
import type { WindowedBatch } from '../types.ts';

/**
 * Learns from the batch's on-time events, in event order: the ranker from what each shopper took
 * next, then co-visitation, session-kNN, trending, popularity and user profiles; refreshes the top-K
 * lists once for the whole batch.
 *
 * @example windowed$.pipe(learnCandidates(state))
 */
export function learnCandidates<T extends WindowedBatch>(state: CandidateState): MonoTypeOperatorFunction<T> {
  return map((batch) => {
    for (const session of batch.flagged ?? []) state.flagBot(session);
    for (const { ingested, before, served } of batch.applied) state.observe(ingested.event, before, ingested.receivedAt, served);
    state.commitBatch();
    return batch;
  });
}
