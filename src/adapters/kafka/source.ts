import { Observable, ReplaySubject, Subject } from 'rxjs';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { KafkaConfig } from '../../config/config.ts';
import { RecError, describeError } from '../../errors.ts';
import type { Assignment, EventSource, SourceBatch, SourceRecord } from '../../ports/event-source.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { OffsetTracker } from './offset-tracker.ts';

export interface KafkaSourceOptions {
  readonly maxInFlightEvents: number;
  readonly shutdownTimeoutMs: number;
}

/**
 * Kafka → Observable bridge with backpressure. `eachBatch` hands a batch to the pipeline and returns at
 * once, so heartbeats keep flowing even while a sink is down; when more than `maxInFlightEvents`
 * events are unacknowledged the topic is paused, and resumed once half of them are acknowledged.
 * Offsets are committed only from `ack()`, i.e. after the sinks confirmed.
 */
export class KafkaEventSource implements EventSource {
  private readonly consumer: Consumer;
  private readonly batches$ = new Subject<SourceBatch>();
  private readonly assignments$ = new ReplaySubject<Assignment>(1);
  private readonly trackers = new Map<number, OffsetTracker>();
  private inFlight = 0;
  private paused = false;
  private started = false;
  private stopping = false;
  private drained: (() => void) | null = null;
  /** Next offset after the acknowledged prefix, per partition: where this process's state stands. */
  private readonly positions = new Map<number, string>();
  /** Where to start each partition when it is assigned (from a checkpoint), instead of the committed offset. */
  private startOffsets = new Map<number, string>();
  private quiescing = false;

  constructor(
    kafka: Kafka,
    private readonly config: KafkaConfig,
    private readonly options: KafkaSourceOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.consumer = kafka.consumer({
      groupId: config.groupId,
      sessionTimeout: config.sessionTimeoutMs,
      rebalanceTimeout: Math.max(config.sessionTimeoutMs, 10000),
      heartbeatInterval: Math.max(1000, Math.floor(config.sessionTimeoutMs / 10)),
      maxBytesPerPartition: config.maxBytesPerPartition,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
      retry: { retries: 10 },
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      const partitions = event.payload.memberAssignment[config.eventsTopic] ?? [];
      for (const [partition, tracker] of this.trackers) {
        if (!partitions.includes(partition)) {
          tracker.reset();
          this.trackers.delete(partition);
        }
      }
      for (const partition of [...this.positions.keys()]) if (!partitions.includes(partition)) this.positions.delete(partition);
      for (const partition of partitions) {
        const start = this.startOffsets.get(partition);
        if (start === undefined) continue;
        // The checkpoint's state stands at `start`: rewind there so nothing after it is missing from state.
        this.consumer.seek({ topic: config.eventsTopic, partition, offset: start });
        this.positions.set(partition, start);
        this.startOffsets.delete(partition);
        this.logger.info({ partition, offset: start }, 'resuming partition from the checkpoint');
      }
      this.logger.info({ partitions, generation: event.payload.groupId }, 'partitions assigned');
      this.assignments$.next({ topic: config.eventsTopic, partitions });
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      const error = event.payload.error;
      this.logger.error({ err: describeError(error), restart: event.payload.restart }, 'kafka consumer crashed');
      if (!event.payload.restart) {
        this.batches$.error(new RecError('REC_KAFKA', 'Kafka consumer stopped after a non-retriable error', { cause: error }));
      }
    });
  }

  batches(): Observable<SourceBatch> {
    return new Observable<SourceBatch>((subscriber) => {
      const subscription = this.batches$.subscribe(subscriber);
      if (!this.started) {
        this.started = true;
        this.run().catch((error: unknown) => this.batches$.error(error));
      }
      return subscription;
    });
  }

  assignments(): Observable<Assignment> {
    return this.assignments$.asObservable();
  }

  private async run(): Promise<void> {
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [this.config.eventsTopic], fromBeginning: this.config.fromBeginning });
    } catch (cause) {
      throw new RecError('REC_KAFKA', `cannot join consumer group ${this.config.groupId} on ${this.config.brokers.join(',')}`, {
        retriable: true,
        cause,
      });
    }
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: async (payload) => this.onBatch(payload),
    });
  }

  private onBatch(payload: EachBatchPayload): void {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0 || this.stopping) return;
    const first = batch.messages[0];
    const last = batch.messages[batch.messages.length - 1];
    if (first === undefined || last === undefined) return;
    if (this.paused || this.quiescing) {
      // kafkajs hands over every batch of a fetch response, even after pause(): leave this one in Kafka
      // (seek back to it; it is fetched again after resume), so the in-flight bound holds to one batch.
      this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: first.offset });
      return;
    }
    let tracker = this.trackers.get(batch.partition);
    if (tracker === undefined) {
      tracker = new OffsetTracker();
      this.trackers.set(batch.partition, tracker);
    }
    const token = tracker.track(BigInt(first.offset), BigInt(last.offset));
    const records: SourceRecord[] = batch.messages.map((message) => ({
      offset: message.offset,
      key: message.key === null ? null : message.key.toString('utf8'),
      value: message.value,
      timestamp: Number(message.timestamp),
    }));
    const size = records.length;
    this.metrics.eventsConsumed(batch.partition, size);
    this.metrics.consumerLag(batch.topic, batch.partition, Number(batch.offsetLag()));
    this.inFlight += size;
    this.metrics.inFlightEvents(this.inFlight);
    let acked = false;
    const ownTracker = tracker;
    const sourceBatch: SourceBatch = {
      topic: batch.topic,
      partition: batch.partition,
      records,
      receivedAt: Date.now(),
      ack: async () => {
        if (acked) return;
        acked = true;
        this.inFlight -= size;
        this.metrics.inFlightEvents(this.inFlight);
        const commitOffset = ownTracker.ack(token);
        if (commitOffset !== null) {
          this.positions.set(batch.partition, commitOffset.toString());
          await this.commit(batch.topic, batch.partition, commitOffset);
        }
        this.maybeResume();
        if (this.inFlight === 0) this.drained?.();
      },
    };
    if (this.inFlight >= this.options.maxInFlightEvents && !this.paused) {
      this.paused = true;
      this.consumer.pause([{ topic: this.config.eventsTopic }]);
      this.metrics.partitionPaused(true);
    }
    this.batches$.next(sourceBatch);
  }

  /**
   * Starts each partition listed at the given offset when it is assigned (a checkpoint's positions),
   * instead of at the group's committed offset. Call before `batches()` is subscribed.
   */
  startFrom(offsets: ReadonlyMap<number, string>): void {
    this.startOffsets = new Map(offsets);
    for (const [partition, offset] of offsets) this.positions.set(partition, offset);
  }

  /**
   * Pauses fetching, waits until every event read so far is acknowledged (so the pipeline's state
   * reflects exactly the records before each partition's position), runs `capture` with those
   * positions in that same instant, and resumes. Rejects if the engine stops meanwhile.
   */
  async quiesce<T>(capture: (positions: ReadonlyMap<number, string>) => T): Promise<T> {
    if (this.stopping) throw new RecError('REC_KAFKA', 'cannot quiesce a stopping source');
    this.quiescing = true;
    this.consumer.pause([{ topic: this.config.eventsTopic }]);
    try {
      for (;;) {
        if (this.stopping) throw new RecError('REC_KAFKA', 'source stopped while quiescing');
        // A batch fetched before the pause may still arrive; capture only at an instant with none in flight.
        if (this.inFlight === 0) return capture(new Map(this.positions));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      this.quiescing = false;
      if (!this.paused && !this.stopping) this.consumer.resume([{ topic: this.config.eventsTopic }]);
      else this.maybeResume();
    }
  }

  /** Positions of every partition when nothing is in flight (all read events stored), else null. */
  settledPositions(): ReadonlyMap<number, string> | null {
    return this.inFlight === 0 ? new Map(this.positions) : null;
  }

  private maybeResume(): void {
    if (this.paused && !this.stopping && !this.quiescing && this.inFlight <= this.options.maxInFlightEvents / 2) {
      this.paused = false;
      this.consumer.resume([{ topic: this.config.eventsTopic }]);
      this.metrics.partitionPaused(false);
    }
  }

  private async commit(topic: string, partition: number, offset: bigint): Promise<void> {
    try {
      await this.consumer.commitOffsets([{ topic, partition, offset: offset.toString() }]);
    } catch (error) {
      // After a rebalance the partition may belong to another member; its records are redelivered
      // from the last committed offset, and the idempotent sinks absorb the repeats.
      this.logger.warn({ partition, offset: offset.toString(), err: describeError(error) }, 'offset commit failed');
    }
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.started) {
      if (this.inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.logger.warn({ inFlight: this.inFlight }, 'shutdown timeout: unacknowledged events will be redelivered');
            resolve();
          }, this.options.shutdownTimeoutMs);
          this.drained = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    await this.consumer.disconnect();
    this.batches$.complete();
    this.assignments$.complete();
  }
}
