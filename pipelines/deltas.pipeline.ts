import { from, map, mergeMap, pipe, type OperatorFunction } from 'rxjs';
import type { AnalyticsRows } from '../src/ports/analytics-sink.ts';
import type { SourceBatch } from '../src/ports/event-source.ts';
import { acknowledge } from './operators/acknowledge.ts';
import { applyDeltas, type AppliedDeltaBatch, type ApplyDeltasOptions } from './operators/applyDeltas.ts';

export interface DeltasPipelineDeps extends ApplyDeltasOptions {
  /** Dead-letter write (already retrying); resolves when stored. */
  readonly appendAnalytics: (rows: AnalyticsRows) => Promise<void>;
}

/**
 * The state-deltas stream of the other engine processes: apply each delta to the shared state → dead
 * letters → acknowledge.
 */
export function deltasPipeline(deps: DeltasPipelineDeps): OperatorFunction<SourceBatch, AppliedDeltaBatch> {
  return pipe(
    applyDeltas(deps),
    mergeMap((batch) => (batch.deadLetters.length === 0 ? from([batch]) : from(deps.appendAnalytics({ events: [], recommendations: [], deadLetters: batch.deadLetters })).pipe(map(() => batch))), 16),
    acknowledge<AppliedDeltaBatch>(),
  );
}
