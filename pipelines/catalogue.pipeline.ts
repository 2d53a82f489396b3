import { from, map, mergeMap, pipe, tap, type OperatorFunction } from 'rxjs';
import type { DecodeOptions } from '../src/domain/decode.ts';
import type { AnalyticsRows } from '../src/ports/analytics-sink.ts';
import type { SourceBatch } from '../src/ports/event-source.ts';
import type { Metrics } from '../src/ports/metrics.ts';
import { acknowledge } from './operators/acknowledge.ts';
import { applyItemUpdates, type ItemUpdateTarget } from './operators/applyItemUpdates.ts';
import { decodeItemUpdates } from './operators/decodeItemUpdates.ts';
import type { AppliedItemBatch } from './types.ts';

export interface CataloguePipelineDeps {
  readonly decode: DecodeOptions;
  readonly target: ItemUpdateTarget;
  /** Analytics + dead-letter write (already retrying); resolves when stored. */
  readonly appendAnalytics: (rows: AnalyticsRows) => Promise<void>;
  readonly metrics: Metrics;
}

/**
 * The item-updates stream: decode → catalogue → ClickHouse `items` / dead letters → acknowledge.
 * The catalogue takes an update before it is stored, so the next list can use it at once; the offset
 * is committed only after ClickHouse (and the dead-letter topic) confirmed.
 */
export function cataloguePipeline(deps: CataloguePipelineDeps): OperatorFunction<SourceBatch, AppliedItemBatch> {
  const { metrics } = deps;
  return pipe(
    decodeItemUpdates(deps.decode),
    applyItemUpdates(deps.target, deps.decode),
    tap((batch) => {
      for (const outcome of ['new', 'updated', 'stale'] as const) if (batch.outcomes[outcome] > 0) metrics.itemUpdates(outcome, batch.outcomes[outcome]);
      const reasons = new Map<string, number>();
      for (const letter of batch.deadLetters) reasons.set(letter.reason, (reasons.get(letter.reason) ?? 0) + 1);
      for (const [reason, count] of reasons) metrics.eventsInvalid(reason, count);
    }),
    mergeMap((batch) => from(deps.appendAnalytics({ events: [], recommendations: [], deadLetters: batch.deadLetters, items: batch.updates })).pipe(map(() => batch)), 16),
    acknowledge<AppliedItemBatch>(),
  );
}
