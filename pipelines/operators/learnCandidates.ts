import { map, type MonoTypeOperatorFunction } from 'rxjs';
import type { CandidateState } from '../../src/domain/candidate-state.ts';
import type { WindowedBatch } from '../types.ts';

/**
 * Updates co-visitation, trending and user profiles from the batch's on-time events, in event order,
 * then refreshes the trending top-K once for the whole batch.
 *
 * @example windowed$.pipe(learnCandidates(state))
 */
export function learnCandidates(state: CandidateState): MonoTypeOperatorFunction<WindowedBatch> {
  return map((batch) => {
    for (const { ingested, previousItems } of batch.applied) state.observe(ingested.event, previousItems, ingested.receivedAt);
    state.commitBatch();
    return batch;
  });
}
