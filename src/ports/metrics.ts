/**
 * The engine's instruments. The prom-client adapter implements this; pipelines and the runtime only see
 * this shape, so tests can pass the in-memory recorder.
 */
/** Where the engine writes: Redis lists, ClickHouse rows, the dead-letter topic, the state-delta topic. */
export type SinkName = 'redis' | 'clickhouse' | 'dlq' | 'deltas';

export interface Metrics {
  eventsConsumed(partition: number, count: number): void;
  eventsValid(count: number): void;
  eventsInvalid(reason: string, count: number): void;
  eventsLate(count: number): void;
  /** Valid events of sessions taken for bots, by the limit the session broke. */
  eventsBot(reason: 'rate' | 'repeat', count: number): void;
  batchSize(events: number): void;
  stageSeconds(stage: string, seconds: number): void;
  sinkWrite(sink: SinkName, seconds: number, ok: boolean): void;
  freshness(kind: 'event_time' | 'ingest_time', seconds: number): void;
  sessionsActive(partition: number, count: number): void;
  sessionsEvicted(reason: 'inactive' | 'capacity' | 'revoked', count: number): void;
  stateSize(structure: string, entries: number): void;
  inFlightEvents(count: number): void;
  partitionPaused(paused: boolean): void;
  consumerLag(topic: string, partition: number, lag: number): void;
  /** The Kafka consumer started again: after kafkajs reported a crash, or replaced after showing no sign of life. */
  consumerRestarted(reason: 'crash' | 'stalled'): void;
  /** The TensorFlow.js backend the model runs on. */
  modelBackend(name: string): void;
  /** One model micro-batch: its outcome and its loss (before the update). */
  modelUpdate(status: string, loss: number | null, version: number): void;
  /** Item updates the catalogue took: a new item, a change, or older than the description held. */
  itemUpdates(outcome: 'new' | 'updated' | 'stale', count: number): void;
  /** Lists written to the serving store, by owner kind. */
  feedsWritten(owner: 'session' | 'user', count: number): void;
  /** Next-item steps scored against the list served just before: how many, hits in the top 20, sum of 1/rank. */
  onlineEvaluation(predictions: number, hits: number, reciprocalRankSum: number): void;
  /**
   * State delta records shared between engine processes: published by this one, applied from another
   * (with the time from publication to application), or skipped (its own, or already in a restored checkpoint).
   */
  stateDeltas(direction: 'published' | 'applied' | 'skipped', records: number, stalenessSeconds: number | null): void;
}
