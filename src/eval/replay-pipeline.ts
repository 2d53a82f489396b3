import { performance } from 'node:perf_hooks';
import { lastValueFrom, tap } from 'rxjs';
import { enginePipeline } from '../../pipelines/engine.pipeline.ts';
import type { FeedBatch } from '../../pipelines/types.ts';
import { MemoryEventSource } from '../adapters/memory/source.ts';
import { noopMetrics } from '../adapters/memory/metrics.ts';
import type { Config } from '../config/config.ts';
import { CandidateState } from '../domain/candidate-state.ts';
import type { ItemUpdate } from '../domain/item-update.ts';
import { recommendationId } from '../domain/recommendation-id.ts';
import { SessionWindows } from '../domain/session-windows.ts';
import type { ModelRuntime } from '../runtime/model-runtime.ts';

export interface ReplayOptions {
  /** Records per micro-batch (1: every event is scored against the list served right before it). */
  readonly batchSize: number;
  readonly model?: ModelRuntime | null;
  /** Called with every batch the pipeline finished, in order, and the state it was learned into. */
  readonly onBatch?: (batch: FeedBatch, state: CandidateState) => void;
  /** Item updates the catalogue holds before the first event (as if read from the item-updates topic). */
  readonly catalogue?: Iterable<ItemUpdate>;
}

export interface ReplayResult {
  readonly state: CandidateState;
  readonly seconds: number;
  readonly feedsWritten: number;
}

/**
 * Streams records through the production pipeline (decode → session windows → learn → feeds → sinks
 * → acknowledge) with an in-process source and sinks instead of Kafka, Redis and ClickHouse.
 */
export async function replayThroughPipeline(records: AsyncIterable<Buffer>, config: Config, options: ReplayOptions): Promise<ReplayResult> {
  const model = options.model ?? null;
  let feedsWritten = 0;
  const windows = SessionWindows.fromConfig(config.sessions);
  const state = new CandidateState(config.candidates, model?.model);
  for (const update of options.catalogue ?? []) state.applyItemUpdate(update);
  const source = new MemoryEventSource(records, { topic: 'eval', partition: 0, batchSize: options.batchSize, maxInFlightBatches: 8 });
  const started = performance.now();
  await lastValueFrom(
    source.batches().pipe(
      enginePipeline({
        decode: { maxBytes: config.engine.maxMessageBytes, payloadBytes: config.engine.deadLetterPayloadBytes },
        windows,
        candidates: state,
        feeds: { feedSize: config.candidates.feedSize, modelVersion: () => 'eval', variant: 'eval', now: () => Date.now(), recommendationId },
        ...(model === null ? {} : { trainModel: model.train, modelBatchSize: config.model.batchSize }),
        writeState: async (writes) => {
          feedsWritten += writes.feeds.length;
        },
        appendAnalytics: async () => undefined,
        analyticsConcurrency: 1,
        metrics: noopMetrics(),
        monotonicMs: () => performance.now(),
        wallMs: () => Date.now(),
      }),
      tap((batch) => options.onBatch?.(batch, state)),
    ),
    { defaultValue: null },
  );
  // Every batch handed to a training thread is trained before the clock stops.
  await model?.stop();
  return { state, seconds: (performance.now() - started) / 1000, feedsWritten };
}
