import { mulberry32 } from '../domain/random.ts';
import type { Metrics, SinkName } from '../ports/metrics.ts';

/** One row of the engine_metrics table. */
export interface EngineMetricRow {
  readonly minute: number;
  readonly instance: string;
  readonly metric: string;
  readonly value: number;
}

/** One row of the model_evaluation table. */
export interface ModelEvaluationRow {
  readonly minute: number;
  readonly instance: string;
  readonly model_version: string;
  readonly predictions: number;
  readonly hits_at_20: number;
  readonly reciprocal_rank_sum: number;
  readonly model_updates: number;
  readonly model_loss_sum: number;
  readonly model_loss_count: number;
}

export interface MinuteRows {
  readonly engineMetrics: readonly EngineMetricRow[];
  readonly evaluations: readonly ModelEvaluationRow[];
}

const MINUTE_MS = 60_000;
/** Freshness samples kept per minute and kind; quantiles come from this uniform reservoir. */
const RESERVOIR = 2048;

const COUNTERS = ['events_consumed', 'events_valid', 'events_invalid', 'events_late', 'events_bot', 'feeds_written', 'sink_errors', 'batches'] as const;
type CounterName = (typeof COUNTERS)[number];

class Reservoir {
  readonly samples: number[] = [];
  private seen = 0;
  constructor(private readonly random: () => number) {}
  add(value: number): void {
    this.seen += 1;
    if (this.samples.length < RESERVOIR) this.samples.push(value);
    else {
      const slot = Math.floor(this.random() * this.seen);
      if (slot < RESERVOIR) this.samples[slot] = value;
    }
  }
  quantile(q: number): number | null {
    if (this.samples.length === 0) return null;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
  }
}

class Minute {
  readonly counters = new Map<CounterName, number>();
  readonly lag = new Map<string, number>();
  readonly freshness: Record<'event_time' | 'ingest_time', Reservoir>;
  predictions = 0;
  hits = 0;
  reciprocalRankSum = 0;
  modelUpdates = 0;
  lossSum = 0;
  lossCount = 0;
  constructor(random: () => number) {
    this.freshness = { event_time: new Reservoir(random), ingest_time: new Reservoir(random) };
  }
  add(name: CounterName, value: number): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + value);
  }
}

/**
 * The engine's figures per wall-clock minute, for the engine_metrics and model_evaluation tables:
 * fed through the same Metrics port as Prometheus, read with `rows()`. Minutes stay until `written()`
 * confirms a later minute, so a failed write is repeated, and the open minute is rewritten each time
 * (the tables keep the newest row).
 */
export class MinuteStats implements Metrics {
  private readonly minutes = new Map<number, Minute>();
  private readonly random = mulberry32(0x5eed);

  constructor(
    private readonly instance: string,
    private readonly modelVersion: () => string,
    private readonly now: () => number,
  ) {}

  private current(): Minute {
    const minute = Math.floor(this.now() / MINUTE_MS) * MINUTE_MS;
    let stats = this.minutes.get(minute);
    if (stats === undefined) {
      stats = new Minute(this.random);
      this.minutes.set(minute, stats);
    }
    return stats;
  }

  /** Rows for every minute not yet confirmed, oldest first. */
  rows(): MinuteRows {
    const engineMetrics: EngineMetricRow[] = [];
    const evaluations: ModelEvaluationRow[] = [];
    const minutes = [...this.minutes.entries()].sort((a, b) => a[0] - b[0]);
    for (const [minute, stats] of minutes) {
      const metric = (name: string, value: number | null): void => {
        if (value !== null) engineMetrics.push({ minute, instance: this.instance, metric: name, value });
      };
      for (const name of COUNTERS) metric(name, stats.counters.get(name) ?? 0);
      metric('consumer_lag', [...stats.lag.values()].reduce((sum, lag) => sum + lag, 0));
      for (const kind of ['event_time', 'ingest_time'] as const) {
        const short = kind === 'event_time' ? 'event' : 'ingest';
        metric(`freshness_${short}_p50_seconds`, stats.freshness[kind].quantile(0.5));
        metric(`freshness_${short}_p99_seconds`, stats.freshness[kind].quantile(0.99));
      }
      evaluations.push({
        minute,
        instance: this.instance,
        model_version: this.modelVersion(),
        predictions: stats.predictions,
        hits_at_20: stats.hits,
        reciprocal_rank_sum: stats.reciprocalRankSum,
        model_updates: stats.modelUpdates,
        model_loss_sum: stats.lossSum,
        model_loss_count: stats.lossCount,
      });
    }
    return { engineMetrics, evaluations };
  }

  /** The rows up to `rows()` were stored: closed minutes are dropped, the open one stays. */
  written(): void {
    const open = Math.floor(this.now() / MINUTE_MS) * MINUTE_MS;
    for (const minute of [...this.minutes.keys()]) if (minute < open) this.minutes.delete(minute);
  }

  eventsConsumed(_partition: number, count: number): void {
    this.current().add('events_consumed', count);
  }
  eventsValid(count: number): void {
    this.current().add('events_valid', count);
  }
  eventsInvalid(_reason: string, count: number): void {
    this.current().add('events_invalid', count);
  }
  eventsLate(count: number): void {
    this.current().add('events_late', count);
  }
  eventsBot(_reason: 'rate' | 'repeat', count: number): void {
    this.current().add('events_bot', count);
  }
  batchSize(): void {
    this.current().add('batches', 1);
  }
  stageSeconds(): void {}
  sinkWrite(_sink: SinkName, _seconds: number, ok: boolean): void {
    if (!ok) this.current().add('sink_errors', 1);
  }
  freshness(kind: 'event_time' | 'ingest_time', seconds: number): void {
    this.current().freshness[kind].add(Math.max(0, seconds));
  }
  sessionsActive(): void {}
  sessionsEvicted(): void {}
  stateSize(): void {}
  inFlightEvents(): void {}
  partitionPaused(): void {}
  consumerRestarted(): void {}
  stateDeltas(): void {}
  consumerLag(topic: string, partition: number, lag: number): void {
    this.current().lag.set(`${topic}/${partition}`, lag);
  }
  modelBackend(): void {}
  modelUpdate(_status: string, loss: number | null, _version: number): void {
    const stats = this.current();
    stats.modelUpdates += 1;
    if (loss !== null && Number.isFinite(loss)) {
      stats.lossSum += loss;
      stats.lossCount += 1;
    }
  }
  itemUpdates(): void {
    // Per-minute figures cover the behaviour stream; catalogue changes are counted in Prometheus only.
  }
  feedsWritten(_owner: 'session' | 'user', count: number): void {
    this.current().add('feeds_written', count);
  }
  onlineEvaluation(predictions: number, hits: number, reciprocalRankSum: number): void {
    const stats = this.current();
    stats.predictions += predictions;
    stats.hits += hits;
    stats.reciprocalRankSum += reciprocalRankSum;
  }
}
