import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sum, type Sample } from '../../../src/adapters/metrics/prom-text.ts';
import { ensureTopics } from '../../../src/adapters/kafka/admin.ts';
import { createKafka } from '../../../src/adapters/kafka/client.ts';
import { KafkaPublisher } from '../../../src/adapters/kafka/producer.ts';
import { createLogger } from '../../../src/adapters/log/pino.ts';
import type { Config } from '../../../src/config/config.ts';
import type { BehaviourEvent } from '../../../src/domain/event.ts';
import type { OutgoingMessage } from '../../../src/ports/event-publisher.ts';
import { loadDiginetica, REPLAY_SOURCES } from '../../../src/replay/diginetica.ts';
import { withInvalid } from '../../../src/replay/invalid.ts';
import { publishRecords, type PublishResult } from '../../../src/replay/publish.ts';
import { LOG_DIR, type EngineChild } from './engine-child.ts';
import { DIGINETICA_DIR } from './scenario.ts';

/** The whole Diginetica replay cut in two at a point in event time, with no session on both sides. */
export interface TimeSplit {
  /** The earliest `backlogEvents` events (time order). */
  readonly backlog: readonly BehaviourEvent[];
  /**
   * Every later event of a session that has no event in the backlog, in time order: new sessions and
   * new event ids, all at or after the backlog's newest event time, so none is late for the engine.
   */
  readonly rest: readonly BehaviourEvent[];
  /** Events after the cut that were left out because their session started in the backlog. */
  readonly straddling: number;
}

/**
 * Loads every selected Diginetica source (raw views and purchases, and the SR-GNN train sessions: the
 * replay's defaults, about 936k events, time-ordered and shifted so the newest is just before now) and
 * cuts it after the first `backlogEvents` events. Producing the backlog first and the rest afterwards
 * keeps event time moving forward on every partition, so the second part is processed in full (a late
 * event would only be stored, skipping the session and feed work).
 */
export async function loadTimeSplit(backlogEvents: number): Promise<TimeSplit> {
  const loaded = await loadDiginetica({ dataDir: DIGINETICA_DIR, sources: REPLAY_SOURCES, limit: 0, shiftToNow: true, now: Date.now() });
  const backlog = loaded.events.slice(0, backlogEvents);
  const backlogSessions = new Set(backlog.map((e) => e.session_id));
  const after = loaded.events.slice(backlogEvents);
  const rest = after.filter((e) => !backlogSessions.has(e.session_id));
  return { backlog, rest, straddling: after.length - rest.length };
}

/** Progress of one `produce` call, as the producer sees it. */
export interface ProduceProgress {
  readonly sent: number;
  readonly elapsedMs: number;
}

/** A producer on the test's topic (the real broker), for events chosen by the test. */
export class FaultProducer {
  private constructor(
    private readonly publisher: KafkaPublisher,
    private readonly topic: string,
  ) {}

  /** Creates the topics as the engine would (same partitions) and connects lazily on the first send. */
  static async open(config: Config): Promise<FaultProducer> {
    const kafka = createKafka(config.kafka, createLogger(config.log, 'fault-producer'), '-fault-producer');
    await ensureTopics(kafka, config.kafka);
    return new FaultProducer(new KafkaPublisher(kafka), config.kafka.eventsTopic);
  }

  /**
   * Sends the events keyed by session, with one broken record after every `invalidEvery` valid ones,
   * in batches of 500; `rate` records per second on a schedule (0 = as fast as the broker acks). An
   * abort stops after the batch in flight; the result counts exactly what was sent.
   */
  produce(
    events: readonly BehaviourEvent[],
    options: { readonly invalidEvery: number; readonly rate: number; readonly signal?: AbortSignal; readonly onProgress?: (p: ProduceProgress) => void },
  ): Promise<PublishResult> {
    const onProgress = options.onProgress;
    return publishRecords(withInvalid(events, options.invalidEvery), this.publisher, {
      topic: this.topic,
      batchSize: 500,
      rate: options.rate,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(onProgress === undefined ? {} : { onBatch: (p) => onProgress({ sent: p.valid + p.invalid, elapsedMs: p.elapsedMs }) }),
    });
  }

  /**
   * Overload that follows the engine: for `durationMs`, keeps the records sent at `headStart` plus
   * `factor` times what `processed()` says the engine has confirmed since the call began, in batches of
   * 500 (sent as fast as the broker acks whenever the allowance is ahead). Over the window the producer
   * therefore runs at `factor` times the engine's own throughput, whatever that is on the machine at the
   * moment. Stops early only if the events run out (`exhausted`).
   */
  async follow(
    events: readonly BehaviourEvent[],
    options: {
      readonly invalidEvery: number;
      readonly factor: number;
      readonly headStart: number;
      readonly durationMs: number;
      readonly processed: () => number;
      readonly onProgress?: (p: ProduceProgress) => void;
    },
  ): Promise<FollowResult> {
    const records = withInvalid(events, options.invalidEvery)[Symbol.iterator]();
    const start = performance.now();
    let valid = 0;
    let invalid = 0;
    let exhausted = false;
    while (!exhausted && performance.now() - start < options.durationMs) {
      if (valid + invalid + FOLLOW_BATCH > options.headStart + options.factor * options.processed()) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      const batch: OutgoingMessage[] = [];
      let batchInvalid = 0;
      while (batch.length < FOLLOW_BATCH) {
        const next = records.next();
        if (next.done === true) {
          exhausted = true;
          break;
        }
        const record = next.value;
        if (record.kind === 'raw') {
          batchInvalid += 1;
          batch.push({ key: record.key, value: record.value });
        } else {
          batch.push({ key: record.event.session_id, value: JSON.stringify(record.event) });
        }
      }
      if (batch.length === 0) break;
      await this.publisher.publish(this.topic, batch);
      valid += batch.length - batchInvalid;
      invalid += batchInvalid;
      options.onProgress?.({ sent: valid + invalid, elapsedMs: performance.now() - start });
    }
    return { valid, invalid, elapsedMs: performance.now() - start, exhausted };
  }

  async close(): Promise<void> {
    await this.publisher.close();
  }
}

const FOLLOW_BATCH = 500;

/** What `FaultProducer.follow` sent. */
export interface FollowResult {
  readonly valid: number;
  readonly invalid: number;
  readonly elapsedMs: number;
  /** The events ran out before the window ended. */
  readonly exhausted: boolean;
}

/** One look at an engine under load, with the producer's count at the same moment. */
export interface LoadSample {
  readonly at: number;
  /** rec_process_resident_memory_bytes */
  readonly rssBytes: number;
  /** VmRSS from /proc (the same quantity, read without the engine's help); null once it is gone. */
  readonly procRssBytes: number | null;
  /** rec_consumer_lag_events summed over partitions: records between the last fetch and the end of the log. */
  readonly lag: number;
  /** rec_inflight_events */
  readonly inFlight: number;
  /** rec_consumer_paused */
  readonly paused: number;
  /** rec_events_consumed_total */
  readonly consumed: number;
  /** rec_nodejs_heap_size_used_bytes */
  readonly heapUsedBytes: number;
  /** rec_nodejs_eventloop_lag_max_seconds: the longest the event loop was held up since the previous scrape. */
  readonly eventLoopMaxSeconds: number;
  /** Records the test's producer had sent (acknowledged by the broker), from `producedSoFar`. */
  readonly produced: number;
}

/**
 * Polls an engine's /metrics every `intervalMs` (250 ms by default) for what an overload changes:
 * memory, lag, in-flight, pause, consumption, next to the producer's progress. Peaks are sampled maxima.
 */
export class LoadSampler {
  readonly samples: LoadSample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(
    private readonly engine: EngineChild,
    private readonly producedSoFar: () => number,
    private readonly intervalMs = 250,
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    return this;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const produced = this.producedSoFar();
      const procRssBytes = this.engine.rssBytes();
      const metrics: Sample[] | null = await this.engine.scrape();
      if (metrics === null) return;
      this.samples.push({
        at: Date.now(),
        rssBytes: sum(metrics, 'rec_process_resident_memory_bytes'),
        procRssBytes,
        lag: sum(metrics, 'rec_consumer_lag_events'),
        inFlight: sum(metrics, 'rec_inflight_events'),
        paused: sum(metrics, 'rec_consumer_paused'),
        consumed: sum(metrics, 'rec_events_consumed_total'),
        heapUsedBytes: sum(metrics, 'rec_nodejs_heap_size_used_bytes'),
        eventLoopMaxSeconds: sum(metrics, 'rec_nodejs_eventloop_lag_max_seconds'),
        produced,
      });
    } finally {
      this.busy = false;
    }
  }

  /** The latest sample, if any. */
  get last(): LoadSample | undefined {
    return this.samples.at(-1);
  }

  /** Writes the samples beside the engine's log (`<namespace>-load-samples.json`) for looking at a run afterwards. */
  save(): string {
    const file = join(LOG_DIR, `${this.engine.ns.name}-load-samples.json`);
    mkdirSync(LOG_DIR, { recursive: true });
    writeFileSync(file, JSON.stringify(this.samples));
    return file;
  }

  between(from: number, to: number): LoadSample[] {
    return this.samples.filter((s) => s.at >= from && s.at <= to);
  }

  peak(pick: (s: LoadSample) => number | null, from = 0, to = Number.POSITIVE_INFINITY): number {
    return this.between(from, to).reduce((max, s) => Math.max(max, pick(s) ?? 0), 0);
  }
}

/** The largest `le` bound with every observation at or below it: an upper bound of the biggest observation. */
export function histogramMaxAtMost(samples: readonly Sample[], histogram: string): number {
  const total = sum(samples, `${histogram}_count`);
  const buckets = samples
    .filter((s) => s.name === `${histogram}_bucket`)
    .map((s) => ({ le: s.labels['le'] === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels['le']), count: s.value }))
    .sort((a, b) => a.le - b.le);
  return buckets.find((b) => b.count >= total)?.le ?? Number.POSITIVE_INFINITY;
}
