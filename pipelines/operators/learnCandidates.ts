import { map, type MonoTypeOperatorFunction } from 'rxjs';
import type { CandidateState } from '../../src/domain/candidate-state.ts';
import type { WindowedBatch } from '../types.ts';

/**
 * Learns from the batch's on-time events, in event order: the ranker from what each shopper took
 * next, then co-visitation, session-kNN, trending, popularity and user profiles; refreshes the top-K
 * lists once for the whole batch. What the shared state learned is kept on the batch (`learned`) for
 * the other engine processes.
 *
 * @example windowed$.pipe(learnCandidates(state))
 */
export function learnCandidates<T extends WindowedBatch>(state: CandidateState): MonoTypeOperatorFunction<T> {
  return map((batch) => {
    for (const session of batch.flagged ?? []) state.flagBot(session);
    const observations = batch.applied.map(({ ingested, before, served }) => state.observe(ingested.event, before, ingested.receivedAt, served));
    const counts = state.commitBatch();
    return { ...batch, learned: { observations, counts } };
  });
}
