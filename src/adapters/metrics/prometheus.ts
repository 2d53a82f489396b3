import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metrics, SinkName } from '../../ports/metrics.ts';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const FRESHNESS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** prom-client implementation of the Metrics port; every name is listed in README's metrics table. */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly consumed = new Counter({ name: 'rec_events_consumed_total', help: 'Records read from Kafka.', labelNames: ['partition'], registers: [this.registry] });
  private readonly valid = new Counter({ name: 'rec_events_valid_total', help: 'Records that decoded into schema-valid events.', registers: [this.registry] });
  private readonly invalid = new Counter({ name: 'rec_events_invalid_total', help: 'Records dead-lettered, by reason.', labelNames: ['reason'], registers: [this.registry] });
  private readonly late = new Counter({ name: 'rec_events_late_total', help: 'Valid events behind the partition watermark.', registers: [this.registry] });
  private readonly bot = new Counter({ name: 'rec_events_bot_total', help: 'Valid events of sessions taken for bots (stored with bot=1, learned from by nothing), by the limit the session broke.', labelNames: ['reason'], registers: [this.registry] });
  private readonly batch = new Histogram({ name: 'rec_batch_events', help: 'Records per processed micro-batch.', buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000], registers: [this.registry] });
  private readonly stage = new Histogram({ name: 'rec_stage_duration_seconds', help: 'Time spent per micro-batch in each pipeline stage.', labelNames: ['stage'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly sinkLatency = new Histogram({ name: 'rec_sink_write_duration_seconds', help: 'Latency of sink writes (sink: redis, clickhouse, dlq = dead letters, deltas = shared-state deltas).', labelNames: ['sink'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly sinkErrors = new Counter({ name: 'rec_sink_errors_total', help: 'Failed sink writes, before retry (sink as in rec_sink_write_duration_seconds).', labelNames: ['sink'], registers: [this.registry] });
  private readonly fresh = new Histogram({ name: 'rec_freshness_seconds', help: 'Event time (or ingest time) to Redis write acknowledged.', labelNames: ['from'], buckets: FRESHNESS_BUCKETS, registers: [this.registry] });
  private readonly sessions = new Gauge({ name: 'rec_sessions_active', help: 'Live sessions held, per partition.', labelNames: ['partition'], registers: [this.registry] });
  private readonly evicted = new Counter({ name: 'rec_sessions_evicted_total', help: 'Sessions removed from state, by reason.', labelNames: ['reason'], registers: [this.registry] });
  private readonly state = new Gauge({ name: 'rec_state_entries', help: 'Entries in bounded state structures.', labelNames: ['structure'], registers: [this.registry] });
  private readonly inFlight = new Gauge({ name: 'rec_inflight_events', help: 'Events read but not yet confirmed by all sinks.', registers: [this.registry] });
  private readonly paused = new Gauge({ name: 'rec_consumer_paused', help: '1 while consumption is paused by backpressure.', registers: [this.registry] });
  private readonly restarts = new Counter({ name: 'rec_consumer_restarts_total', help: 'Kafka consumer restarts, by reason: crash (kafkajs restarts it itself) or stalled (the engine replaced it: no heartbeat for a session, or no join within kafka.stallTimeoutMs).', labelNames: ['reason'], registers: [this.registry] });
  private readonly lag = new Gauge({ name: 'rec_consumer_lag_events', help: 'Records between the last fetched offset and the partition end.', labelNames: ['topic', 'partition'], registers: [this.registry] });

  private readonly backend = new Gauge({ name: 'rec_model_backend_info', help: 'TensorFlow.js backend of the online model (1 for the one in use).', labelNames: ['backend'], registers: [this.registry] });
  private readonly modelUpdates = new Counter({ name: 'rec_model_updates_total', help: 'Model micro-batches, by outcome (applied, rolled-back, non-finite, empty).', labelNames: ['status'], registers: [this.registry] });
  private readonly modelLoss = new Gauge({ name: 'rec_model_loss', help: 'Prequential loss of the last model micro-batch (before its update).', registers: [this.registry] });
  private readonly modelVersionGauge = new Gauge({ name: 'rec_model_version', help: 'Version of the online model (applied updates).', registers: [this.registry] });

  private readonly items = new Counter({ name: 'rec_item_updates_total', help: 'Item updates taken into the catalogue, by outcome (new, updated, stale).', labelNames: ['outcome'], registers: [this.registry] });
  private readonly feeds = new Counter({ name: 'rec_feeds_written_total', help: 'Lists written to the serving store, by owner kind.', labelNames: ['owner'], registers: [this.registry] });
  private readonly onlinePredictions = new Counter({ name: 'rec_online_predictions_total', help: 'Next-item events scored against the list served to their session just before.', registers: [this.registry] });
  private readonly onlineHits = new Counter({ name: 'rec_online_hits_total', help: 'Scored next-item events whose item was in the top 20 of the list served before.', registers: [this.registry] });
  private readonly onlineReciprocalRank = new Counter({ name: 'rec_online_reciprocal_rank_total', help: 'Sum of 1/rank of scored next items in the list served before (0 beyond 20); MRR@20 = this / predictions.', registers: [this.registry] });

  private readonly deltas = new Counter({ name: 'rec_state_deltas_total', help: 'State delta records shared between engine processes: published, applied (from another process) or skipped (own, or already in the restored checkpoint).', labelNames: ['direction'], registers: [this.registry] });
  private readonly deltaStaleness = new Histogram({ name: 'rec_state_delta_staleness_seconds', help: "Time from another process publishing a state delta to this one applying it: how far behind the others' learning the shared state is.", buckets: FRESHNESS_BUCKETS, registers: [this.registry] });

  constructor(collectDefaults = true) {
    if (collectDefaults) {
      collectDefaultMetrics({ register: this.registry, prefix: 'rec_' });
      // prom-client names these gauges *_total, which Prometheus reserves for counters (promtool check metrics).
      for (const name of ['rec_nodejs_active_handles_total', 'rec_nodejs_active_requests_total', 'rec_nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    }
  }

  eventsConsumed(partition: number, count: number): void {
    this.consumed.inc({ partition: String(partition) }, count);
  }
  eventsValid(count: number): void {
    this.valid.inc(count);
  }
  eventsInvalid(reason: string, count: number): void {
    this.invalid.inc({ reason }, count);
  }
  eventsBot(reason: 'rate' | 'repeat', count: number): void {
    this.bot.inc({ reason }, count);
  }

  eventsLate(count: number): void {
    this.late.inc(count);
  }
  batchSize(events: number): void {
    this.batch.observe(events);
  }
  stageSeconds(stage: string, seconds: number): void {
    this.stage.observe({ stage }, seconds);
  }
  sinkWrite(sink: SinkName, seconds: number, ok: boolean): void {
    this.sinkLatency.observe({ sink }, seconds);
    if (!ok) this.sinkErrors.inc({ sink });
  }
  freshness(kind: 'event_time' | 'ingest_time', seconds: number): void {
    this.fresh.observe({ from: kind }, Math.max(0, seconds));
  }
  sessionsActive(partition: number, count: number): void {
    this.sessions.set({ partition: String(partition) }, count);
  }
  sessionsEvicted(reason: 'inactive' | 'capacity' | 'revoked', count: number): void {
    this.evicted.inc({ reason }, count);
  }
  stateSize(structure: string, entries: number): void {
    this.state.set({ structure }, entries);
  }
  inFlightEvents(count: number): void {
    this.inFlight.set(count);
  }
  partitionPaused(paused: boolean): void {
    this.paused.set(paused ? 1 : 0);
  }
  consumerLag(topic: string, partition: number, lag: number): void {
    this.lag.set({ topic, partition: String(partition) }, lag);
  }
  consumerRestarted(reason: 'crash' | 'stalled'): void {
    this.restarts.inc({ reason });
  }
  modelBackend(name: string): void {
    this.backend.reset();
    this.backend.set({ backend: name }, 1);
  }
  modelUpdate(status: string, loss: number | null, version: number): void {
    this.modelUpdates.inc({ status });
    if (loss !== null && Number.isFinite(loss)) this.modelLoss.set(loss);
    this.modelVersionGauge.set(version);
  }
  itemUpdates(outcome: 'new' | 'updated' | 'stale', count: number): void {
    this.items.inc({ outcome }, count);
  }
  feedsWritten(owner: 'session' | 'user', count: number): void {
    this.feeds.inc({ owner }, count);
  }
  onlineEvaluation(predictions: number, hits: number, reciprocalRankSum: number): void {
    this.onlinePredictions.inc(predictions);
    this.onlineHits.inc(hits);
    this.onlineReciprocalRank.inc(reciprocalRankSum);
  }
  stateDeltas(direction: 'published' | 'applied' | 'skipped', records: number, stalenessSeconds: number | null): void {
    this.deltas.inc({ direction }, records);
    if (stalenessSeconds !== null) this.deltaStaleness.observe(stalenessSeconds);
  }
}
