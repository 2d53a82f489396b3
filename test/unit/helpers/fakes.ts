import type { CandidatesConfig } from '../../../src/config/config.ts';
import type { Metrics, SinkName } from '../../../src/ports/metrics.ts';

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks (and the RxJS work they trigger) run. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

export type MetricCall = { readonly name: keyof Metrics; readonly args: readonly unknown[] };

/** Records every instrument call, in order. */
export class RecordingMetrics implements Metrics {
  readonly calls: MetricCall[] = [];
  private push(name: keyof Metrics, args: readonly unknown[]): void {
    this.calls.push({ name, args });
  }
  of(name: keyof Metrics): (readonly unknown[])[] {
    return this.calls.filter((call) => call.name === name).map((call) => call.args);
  }
  eventsConsumed(partition: number, count: number): void {
    this.push('eventsConsumed', [partition, count]);
  }
  eventsValid(count: number): void {
    this.push('eventsValid', [count]);
  }
  eventsInvalid(reason: string, count: number): void {
    this.push('eventsInvalid', [reason, count]);
  }
  eventsLate(count: number): void {
    this.push('eventsLate', [count]);
  }
  eventsBot(reason: string, count: number): void {
    this.push('eventsBot', [reason, count]);
  }
  batchSize(events: number): void {
    this.push('batchSize', [events]);
  }
  stageSeconds(stage: string, seconds: number): void {
    this.push('stageSeconds', [stage, seconds]);
  }
  sinkWrite(sink: SinkName, seconds: number, ok: boolean): void {
    this.push('sinkWrite', [sink, seconds, ok]);
  }
  freshness(kind: 'event_time' | 'ingest_time', seconds: number): void {
    this.push('freshness', [kind, seconds]);
  }
  sessionsActive(partition: number, count: number): void {
    this.push('sessionsActive', [partition, count]);
  }
  sessionsEvicted(reason: 'inactive' | 'capacity' | 'revoked', count: number): void {
    this.push('sessionsEvicted', [reason, count]);
  }
  stateSize(structure: string, entries: number): void {
    this.push('stateSize', [structure, entries]);
  }
  inFlightEvents(count: number): void {
    this.push('inFlightEvents', [count]);
  }
  partitionPaused(paused: boolean): void {
    this.push('partitionPaused', [paused]);
  }
  consumerRestarted(reason: 'crash' | 'stalled'): void {
    this.push('consumerRestarted', [reason]);
  }
  consumerLag(topic: string, partition: number, lag: number): void {
    this.push('consumerLag', [topic, partition, lag]);
  }
  modelBackend(name: string): void {
    this.push('modelBackend', [name]);
  }
  modelUpdate(status: string, loss: number | null, version: number): void {
    this.push('modelUpdate', [status, loss, version]);
  }
  itemUpdates(outcome: 'new' | 'updated' | 'stale', count: number): void {
    this.push('itemUpdates', [outcome, count]);
  }
  feedsWritten(owner: 'session' | 'user', count: number): void {
    this.push('feedsWritten', [owner, count]);
  }
  onlineEvaluation(predictions: number, hits: number, reciprocalRankSum: number): void {
    this.push('onlineEvaluation', [predictions, hits, reciprocalRankSum]);
  }
  stateDeltas(direction: 'published' | 'applied' | 'skipped', records: number, stalenessSeconds: number | null): void {
    this.push('stateDeltas', [direction, records, stalenessSeconds]);
  }
}

/** Candidate settings small enough to reason about in a test. */
export const CANDIDATES: CandidatesConfig = {
  feedSize: 10,
  covisitNeighbours: 10,
  covisitWindow: 5,
  covisitHalfLifeMs: 7 * 24 * 3_600_000,
  covisitMaxItems: 1000,
  trendingHalfLifeMs: 3_600_000,
  trendingMaxItems: 1000,
  trendingTopK: 20,
  purchasedHideMs: 7 * 24 * 3_600_000,
  maxUsers: 100,
  profiles: true,
  profileHalfLifeMs: 14 * 86_400_000,
  crossSell: true,
  rulesFile: '',
  trendingHoldMs: 0,
  cfDim: 8,
  cfLearningRate: 0.01,
  cfFactorLearningRate: 0.2,
  cfRegularization: 0.02,
  cfMaxUsers: 1000,
  cfMaxItems: 1000,
  cfImplicitRatings: false,
  knnNeighbours: 10,
  knnCandidates: 100,
  knnMaxSessions: 1000,
  poolPerSource: 20,
  modelCandidates: 20,
  popularityHalfLifeMs: 30 * 24 * 3_600_000,
  excludeCurrentItem: true,
  rankerLearningRate: 0.05,
  rankerSampleRate: 1,
  rankerLoss: 'top-k',
  rankerTopK: 20,
  rankerFirstPlaceWeight: 0.3,
  rankerImpressionNegatives: false,
  purchaseWeight: 0.5,
  rankerHiddenUnits: 0,
  rankerSeed: 0,
  rankerCrosses: false, queryIntent: true, queryMaxKeys: 1000, queryItemsPerKey: 20, queryHalfLifeMs: 7 * 24 * 3_600_000,
  dayparts: 6, utcOffsetMinutes: 0, exploreShare: 0, newItemWindowMs: 3 * 24 * 3_600_000, newItemInteractions: 5, catalogueMaxItems: 1000, catalogueVectorDims: 0, catalogueAttributeDims: 32,
};
