import { identity, pipe, tap, type OperatorFunction } from 'rxjs';
import type { CandidateState } from '../src/domain/candidate-state.ts';
import type { DecodeOptions } from '../src/domain/decode.ts';
import type { SessionWindows } from '../src/domain/session-windows.ts';
import type { AnalyticsRows } from '../src/ports/analytics-sink.ts';
import type { SourceBatch } from '../src/ports/event-source.ts';
import type { Metrics } from '../src/ports/metrics.ts';
import type { StateWrites } from '../src/ports/state-store.ts';
import { acknowledge } from './operators/acknowledge.ts';
import { buildFeeds, type BuildFeedsOptions } from './operators/buildFeeds.ts';
import { decodeBatch } from './operators/decodeBatch.ts';
import { learnCandidates } from './operators/learnCandidates.ts';
import { learnModel, type TrainModel } from './operators/learnModel.ts';
import { scoreServed } from './operators/scoreServed.ts';
import { sessionWindow } from './operators/sessionWindow.ts';
import { shareDeltas, type ShareDeltasOptions } from './operators/shareDeltas.ts';
import { timed } from './operators/timed.ts';
import { writeAnalytics } from './operators/writeAnalytics.ts';
import { writeState } from './operators/writeState.ts';
import type { FeedBatch } from './types.ts';

export interface EnginePipelineDeps {
  readonly decode: DecodeOptions;
  readonly windows: SessionWindows;
  readonly candidates: CandidateState;
  readonly feeds: BuildFeedsOptions;
  /** Online model update from a micro-batch of examples; absent when the model is off. */
  readonly trainModel?: TrainModel;
  readonly modelBatchSize?: number;
  /** Serving-store write (already retrying); resolves when acknowledged. */
  readonly writeState: (writes: StateWrites) => Promise<void>;
  /** Most keys one coalesced serving-store write carries (default 5,000). */
  readonly writeStateMaxKeys?: number;
  /** Publishes what each batch taught the shared state for the other engine processes; absent: not shared. */
  readonly share?: ShareDeltasOptions;
  /** Analytics + dead-letter write (already retrying); resolves when stored. */
  readonly appendAnalytics: (rows: AnalyticsRows) => Promise<void>;
  /** Batches waiting on the analytics sink at once. */
  readonly analyticsConcurrency: number;
  readonly metrics: Metrics;
  /** Monotonic milliseconds, for stage durations. */
  readonly monotonicMs: () => number;
  /** Wall clock, epoch ms, for freshness. */
  readonly wallMs: () => number;
}

/**
 * The whole engine for one stream of source batches:
 * decode → session windows → learn candidates → build feeds → Redis → state deltas → ClickHouse/DLQ → acknowledge.
 * Emits each batch after its offsets were handed to the source for commit.
 */
export function enginePipeline(deps: EnginePipelineDeps): OperatorFunction<SourceBatch, FeedBatch> {
  const { metrics } = deps;
  const record = (stage: string, seconds: number): void => metrics.stageSeconds(stage, seconds);
  const stage = <A extends { readonly source: SourceBatch } | SourceBatch, B extends { readonly source: SourceBatch }>(
    name: string,
    operator: OperatorFunction<A, B>,
  ): OperatorFunction<A, B> => timed(name, operator, record, deps.monotonicMs);
  const compute: OperatorFunction<SourceBatch, FeedBatch> = pipe(
    stage('decode', decodeBatch(deps.decode)),
    tap((batch) => {
      metrics.batchSize(batch.source.records.length);
      metrics.eventsValid(batch.events.length);
      const reasons = new Map<string, number>();
      for (const letter of batch.deadLetters) reasons.set(letter.reason, (reasons.get(letter.reason) ?? 0) + 1);
      for (const [reason, count] of reasons) metrics.eventsInvalid(reason, count);
    }),
    stage('window', sessionWindow(deps.windows)),
    tap((batch) => {
      if (batch.lateCount > 0) metrics.eventsLate(batch.lateCount);
      for (const [reason, count] of batch.botEvents ?? []) metrics.eventsBot(reason, count);
      if (batch.evicted.inactive > 0) metrics.sessionsEvicted('inactive', batch.evicted.inactive);
      if (batch.evicted.capacity > 0) metrics.sessionsEvicted('capacity', batch.evicted.capacity);
      metrics.sessionsActive(batch.source.partition, deps.windows.of(batch.source.partition).size);
    }),
    scoreServed(),
    tap((batch) => {
      if (batch.online.predictions > 0) metrics.onlineEvaluation(batch.online.predictions, batch.online.hits, batch.online.reciprocalRankSum);
    }),
    stage('learn', learnCandidates(deps.candidates)),
    deps.trainModel === undefined ? identity : stage('model', learnModel(deps.trainModel, deps.modelBatchSize ?? 64)),
    stage('feeds', buildFeeds(deps.windows.options, deps.candidates, deps.feeds)),
  );
  return pipe(
    compute,
    stage('redis', writeState(deps.writeState, { maxKeys: deps.writeStateMaxKeys ?? 5000 })),
    // Freshness ends where a list becomes readable: in Redis, not after the state deltas are published.
    tap((batch) => {
      const now = deps.wallMs();
      let users = 0;
      for (const write of batch.feeds) {
        if (write.owner.kind === 'user') users += 1;
        metrics.freshness('event_time', (now - write.feed.event_ts) / 1000);
        metrics.freshness('ingest_time', (now - write.ingestedAt) / 1000);
      }
      if (batch.feeds.length > users) metrics.feedsWritten('session', batch.feeds.length - users);
      if (users > 0) metrics.feedsWritten('user', users);
    }),
    deps.share === undefined ? identity : stage('deltas', shareDeltas(deps.share)),
    stage('analytics', writeAnalytics(deps.appendAnalytics, deps.analyticsConcurrency)),
    acknowledge<FeedBatch>(),
    tap(() => {
      metrics.stateSize('covisit_items', deps.candidates.covisit.size);
      metrics.stateSize('trending_items', deps.candidates.trending.size);
      metrics.stateSize('user_profiles', deps.candidates.users.size);
      metrics.stateSize('co_purchase_items', deps.candidates.coPurchases.size);
    }),
  );
}
