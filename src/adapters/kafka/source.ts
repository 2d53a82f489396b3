import { Observable, ReplaySubject, Subject } from 'rxjs';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { KafkaConfig } from '../../config/config.ts';
import { RecError, describeError } from '../../errors.ts';
import type { Assignment, EventSource, SourceBatch, SourceRecord } from '../../ports/event-source.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { OffsetTracker } from './offset-tracker.ts';
import { committedOffsets } from './admin.ts';
import { removeMember } from './remove-member.ts';
import { StallWatch, type StallPhase } from './stall-watch.ts';

export interface KafkaSourceOptions {
  readonly maxInFlightEvents: number;
  readonly shutdownTimeoutMs: number;
  /**
   * Called with the partitions this process just gained, before any of their records is handed over;
   * it restores their state and says, per partition, where that state stands (`from`: the offset to
   * read from, null for the committed one) and the highest offset already learned from by anyone (null:
   * unknown). Records below the committed offset are then handed over as `restore`, those up to the
   * learned offset as `catch-up`.
   */
  readonly onGained?: (partitions: readonly number[]) => Promise<ReadonlyMap<number, GainedPartition>>;
}

export interface GainedPartition {
  readonly from: string | null;
  readonly learnedUpTo: bigint | null;
}

/** Offsets below which a gained partition's records are replayed, not live. */
interface Replay {
  readonly storedBelow: bigint;
  readonly learnedBelow: bigint;
}

/**
 * Kafka → Observable bridge with backpressure. `eachBatch` hands a batch to the pipeline and returns at
 * once, so heartbeats keep flowing even while a sink is down; when more than `maxInFlightEvents`
 * events are unacknowledged the topic is paused, and resumed once half of them are acknowledged.
 * Offsets are committed only from `ack()`, i.e. after the sinks confirmed.
 */
export class KafkaEventSource implements EventSource {
  /** Replaced by a new one when the watch finds it stuck; events and batches of a replaced one are ignored. */
  private consumer: Consumer;
  private readonly watch: StallWatch;
  /** The join limit the watch applies: kafka.stallTimeoutMs, at least the rebalance timeout plus 5 s. */
  private readonly joiningMs: number;
  private replacement: Promise<void> | null = null;
  /** The current consumer's member id in its group, from its last join. */
  private memberId: string | null = null;
  /** Replaced consumers not yet disconnected, for stop(). */
  private readonly retired = new Set<Consumer>();
  /** Bumped whenever a partition is lost or gained: a restore applies only to the ownership it was started for. */
  private readonly epochs = new Map<number, number>();
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
  /** Partitions assigned now, and those of them still being restored (their records wait). */
  private owned = new Set<number>();
  private readonly restoring = new Set<number>();
  private readonly replays = new Map<number, Replay>();
  /** Highest offset handed over per owned partition: a consumer that restarts after a crash refetches from the committed offset, and what was already handed over must not be applied twice. */
  private readonly handedUpTo = new Map<number, bigint>();

  constructor(
    private readonly kafka: Kafka,
    private readonly config: KafkaConfig,
    private readonly options: KafkaSourceOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.consumer = this.createConsumer();
    // A join may legitimately wait a whole rebalance timeout for the other members.
    this.joiningMs = Math.max(config.stallTimeoutMs, rebalanceTimeoutMs(config) + 5000);
    this.watch = new StallWatch({ inGroupMs: config.sessionTimeoutMs, joiningMs: this.joiningMs }, (silentMs, phase) => {
      this.replacement ??= this.replaceConsumer(silentMs, phase).finally(() => {
        this.replacement = null;
      });
    });
  }

  private createConsumer(): Consumer {
    const config = this.config;
    const consumer = this.kafka.consumer({
      groupId: config.groupId,
      sessionTimeout: config.sessionTimeoutMs,
      rebalanceTimeout: rebalanceTimeoutMs(config),
      heartbeatInterval: Math.max(1000, Math.floor(config.sessionTimeoutMs / 10)),
      maxBytesPerPartition: config.maxBytesPerPartition,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
      // A fetch from a dead leader fails with a connection error, which kafkajs retries on the metadata it
      // has; a short metadata age and retries about every second find the new leader soon after Kafka
      // moved the partition, before the group session expires (a crash would rejoin and rebalance all).
      metadataMaxAge: config.metadataMaxAgeMs,
      // A replaced consumer must not restart itself after a crash (it would rejoin unseen).
      retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000, restartOnFailure: async () => consumer === this.consumer && !this.stopping },
    });
    const current = (): boolean => consumer === this.consumer;
    // A replaced consumer whose join was already in flight can come back (a kafkajs join in flight can
    // outlive disconnect()): stop it again as soon as it shows life.
    const stopRetired = (): void => {
      if (!current()) setImmediate(() => void consumer.disconnect().catch(() => undefined));
    };
    consumer.on(consumer.events.FETCH_START, stopRetired);
    consumer.on(consumer.events.DISCONNECT, () => this.retired.delete(consumer));
    consumer.on(consumer.events.HEARTBEAT, () => {
      if (current()) this.watch.alive();
      else stopRetired();
    });
    consumer.on(consumer.events.REBALANCING, () => {
      if (current()) this.watch.joining();
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      if (!current()) {
        this.logger.warn({ memberId: event.payload.memberId }, 'a replaced kafka consumer joined its group again: stopping it');
        stopRetired();
        return;
      }
      this.watch.joined();
      this.memberId = event.payload.memberId;
      this.onJoin(event.payload.memberAssignment[config.eventsTopic] ?? []);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (!current()) return;
      const error = event.payload.error;
      this.logger.error({ err: describeError(error), restart: event.payload.restart }, 'kafka consumer crashed');
      if (event.payload.restart) {
        this.metrics.consumerRestarted('crash');
        this.watch.joining();
        this.leftGroup();
      } else {
        this.batches$.error(new RecError('REC_KAFKA', 'Kafka consumer stopped after a non-retriable error', { cause: error }));
      }
    });
    return consumer;
  }

  /**
   * The member left the group (kafkajs leaves it before restarting a crashed consumer; a replaced one is
   * dropped): the others may have taken and consumed its partitions meanwhile, invisible to this
   * process if the next join gives them back. With restorable state, every partition counts as lost
   * now, so whatever comes back is restored from the latest checkpoint and caught up, not continued
   * from state that missed the others' records.
   */
  private leftGroup(): void {
    if (this.options.onGained === undefined || this.owned.size === 0) return;
    this.logger.warn({ partitions: [...this.owned] }, 'left the consumer group: partitions count as lost until assigned again');
    this.assign([]);
  }

  private onJoin(partitions: readonly number[]): void {
    const config = this.config;
    const gained = this.assign(partitions);
    // A consumer that kafkajs restarted, or a new one, starts unpaused: carry over what is paused.
    if (this.paused || this.quiescing) this.control('pause', () => this.consumer.pause([{ topic: config.eventsTopic }]));
    const waiting = partitions.filter((partition) => this.restoring.has(partition) && !gained.includes(partition));
    if (waiting.length > 0) this.control('pause', () => this.consumer.pause([{ topic: config.eventsTopic, partitions: waiting }]));
    if (this.options.onGained !== undefined && gained.length > 0) this.prepare(gained, this.options.onGained);
    for (const partition of partitions) {
      const start = this.startOffsets.get(partition);
      if (start === undefined) continue;
      // The checkpoint's state stands at `start`: rewind there so nothing after it is missing from state.
      this.consumer.seek({ topic: config.eventsTopic, partition, offset: start });
      this.positions.set(partition, start);
      this.startOffsets.delete(partition);
      this.logger.info({ partition, offset: start }, 'resuming partition from the checkpoint');
    }
    this.logger.info({ topic: config.eventsTopic, partitions }, 'partitions assigned');
  }

  /** Drops the bookkeeping of partitions no longer assigned, tells the pipeline, returns those gained. */
  private assign(partitions: readonly number[]): number[] {
    for (const [partition, tracker] of this.trackers) {
      if (!partitions.includes(partition)) {
        tracker.reset();
        this.trackers.delete(partition);
      }
    }
    for (const partition of [...this.positions.keys()]) if (!partitions.includes(partition)) this.positions.delete(partition);
    for (const partition of [...this.replays.keys()]) if (!partitions.includes(partition)) this.replays.delete(partition);
    for (const partition of [...this.handedUpTo.keys()]) if (!partitions.includes(partition)) this.handedUpTo.delete(partition);
    for (const partition of [...this.restoring]) if (!partitions.includes(partition)) this.restoring.delete(partition);
    const gained = partitions.filter((partition) => !this.owned.has(partition));
    for (const partition of this.owned) if (!partitions.includes(partition)) this.epochs.set(partition, (this.epochs.get(partition) ?? 0) + 1);
    for (const partition of gained) this.epochs.set(partition, (this.epochs.get(partition) ?? 0) + 1);
    this.owned = new Set(partitions);
    this.assignments$.next({ topic: this.config.eventsTopic, partitions });
    return gained;
  }

  /**
   * Pause, resume and seek throw while kafkajs restarts a crashed consumer (it has no group then). What
   * they were for is applied again at the next join (pause state) or was not needed (the records are
   * fetched again from the committed offset), so the call is skipped with a note.
   */
  private control(what: string, call: () => void): boolean {
    try {
      call();
      return true;
    } catch (error) {
      this.logger.warn({ err: describeError(error) }, `kafka consumer ${what} skipped: the consumer is not in its group`);
      return false;
    }
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
    this.watch.joining();
    this.watch.start();
    await this.startConsumer(this.consumer);
  }

  private async startConsumer(consumer: Consumer): Promise<void> {
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.config.eventsTopic], fromBeginning: this.config.fromBeginning });
    } catch (cause) {
      throw new RecError('REC_KAFKA', `cannot join consumer group ${this.config.groupId} on ${this.config.brokers.join(',')}`, {
        retriable: true,
        cause,
      });
    }
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: async (payload) => {
        if (consumer === this.consumer) this.onBatch(payload);
      },
    });
  }

  /**
   * Gives up on a consumer that shows no sign of life: stops it, removes its member from the group and
   * starts a new member with the same group id. Its partitions count as lost (see `leftGroup`); the
   * batches the stuck one still hands over are ignored.
   */
  private async replaceConsumer(silentMs: number, phase: StallPhase): Promise<void> {
    if (this.stopping) return;
    this.metrics.consumerRestarted('stalled');
    const what = phase === 'joining' ? `did not join its group within ${this.joiningMs} ms (kafka.stallTimeoutMs, at least the rebalance timeout + 5 s)` : `sent no heartbeat for kafka.sessionTimeoutMs (${this.config.sessionTimeoutMs} ms)`;
    this.logger.error({ topic: this.config.eventsTopic, silentMs, phase, owned: [...this.owned] }, `kafka consumer ${what}: replacing it`);
    const stuck = this.consumer;
    const stuckMember = this.memberId;
    this.memberId = null;
    this.retired.add(stuck);
    this.consumer = this.createConsumer();
    this.leftGroup();
    // Not awaited: a stuck consumer's disconnect may never finish, and a join it still has in flight is
    // stopped again when it shows life (see createConsumer).
    stuck.disconnect().catch((error: unknown) => this.logger.warn({ err: describeError(error) }, 'the stuck kafka consumer did not disconnect cleanly'));
    // Removing the stuck member may take until the new coordinator has loaded the group: not awaited either.
    if (stuckMember !== null) void this.removeStuckMember(stuckMember);
    // The watch already waits for the replacement's join (it counts a join limit from the stall it reported).
    try {
      await this.startConsumer(this.consumer);
      this.logger.info({ topic: this.config.eventsTopic }, 'replacement kafka consumer started');
    } catch (error) {
      this.logger.error({ err: describeError(error) }, 'replacement kafka consumer did not start: trying again after the stall timeout');
    }
  }

  /**
   * The stuck member cannot leave through a dead coordinator, and the new coordinator would wait a
   * whole session for it before the group can rebalance: remove it there in its name. Needs a plaintext
   * connection; with TLS or SASL the group waits for the session timeout instead.
   */
  private async removeStuckMember(memberId: string): Promise<void> {
    if (this.config.ssl || this.config.saslMechanism !== 'none') {
      this.logger.info({ memberId }, 'stuck member left to expire (one session timeout): removing it needs a plaintext connection');
      return;
    }
    const started = Date.now();
    const outcome = await removeMember(this.config.brokers, this.config.groupId, memberId, 2 * this.config.sessionTimeoutMs, `${this.config.clientId}-remove`);
    const message = outcome === 'removed' || outcome === 'already-gone' ? 'stuck member is out of the group' : 'stuck member could not be removed: the group waits for its session to expire';
    this.logger.info({ memberId, outcome, ms: Date.now() - started }, message);
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
    if (this.restoring.has(batch.partition)) {
      // Its state is still being restored: leave the records in Kafka until then.
      this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: first.offset });
      return;
    }
    const handed = this.handedUpTo.get(batch.partition);
    const messages = handed === undefined ? batch.messages : batch.messages.filter((message) => BigInt(message.offset) > handed);
    if (messages.length === 0) return;
    const records: SourceRecord[] = messages.map((message) => ({
      offset: message.offset,
      key: message.key === null ? null : message.key.toString('utf8'),
      value: message.value,
      timestamp: Number(message.timestamp),
    }));
    this.metrics.eventsConsumed(batch.partition, records.length);
    this.metrics.consumerLag(batch.topic, batch.partition, Number(batch.offsetLag()));
    const replay = this.replays.get(batch.partition);
    if (replay === undefined) {
      this.emit(batch.topic, batch.partition, records, undefined);
    } else {
      const restore = records.filter((record) => BigInt(record.offset) < replay.storedBelow);
      const catchUp = records.filter((record) => BigInt(record.offset) >= replay.storedBelow && BigInt(record.offset) < replay.learnedBelow);
      const live = records.filter((record) => BigInt(record.offset) >= replay.learnedBelow);
      if (live.length > 0) this.replays.delete(batch.partition);
      if (restore.length > 0) this.emit(batch.topic, batch.partition, restore, 'restore');
      if (catchUp.length > 0) this.emit(batch.topic, batch.partition, catchUp, 'catch-up');
      if (live.length > 0) this.emit(batch.topic, batch.partition, live, undefined);
    }
  }

  private emit(topic: string, partition: number, records: readonly SourceRecord[], phase: SourceBatch['phase']): void {
    const first = records[0];
    const last = records[records.length - 1];
    if (first === undefined || last === undefined) return;
    let tracker = this.trackers.get(partition);
    if (tracker === undefined) {
      tracker = new OffsetTracker();
      this.trackers.set(partition, tracker);
    }
    const token = tracker.track(BigInt(first.offset), BigInt(last.offset));
    this.handedUpTo.set(partition, BigInt(last.offset));
    const size = records.length;
    this.inFlight += size;
    this.metrics.inFlightEvents(this.inFlight);
    let acked = false;
    const ownTracker = tracker;
    const sourceBatch: SourceBatch = {
      topic,
      partition,
      records,
      receivedAt: Date.now(),
      ...(phase === undefined ? {} : { phase }),
      ack: async () => {
        if (acked) return;
        acked = true;
        this.inFlight -= size;
        this.metrics.inFlightEvents(this.inFlight);
        const commitOffset = ownTracker.ack(token);
        if (commitOffset !== null) {
          this.positions.set(partition, commitOffset.toString());
          await this.commit(topic, partition, commitOffset);
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
   * Restores gained partitions while their records wait (paused), then reads each from where its
   * restored state stands. A failure fails the stream: consuming without the state would serve and
   * learn from sessions that lost their past.
   */
  private prepare(gained: readonly number[], onGained: NonNullable<KafkaSourceOptions['onGained']>): void {
    const topic = this.config.eventsTopic;
    for (const partition of gained) this.restoring.add(partition);
    this.control('pause', () => this.consumer.pause([{ topic, partitions: [...gained] }]));
    const started = Date.now();
    // The ownership this restore is for: a partition lost (and perhaps gained again) meanwhile is restored by its newer prepare.
    const epochs = new Map(gained.map((partition) => [partition, this.epochs.get(partition) ?? 0]));
    void (async () => {
      const committed = await committedOffsets(this.kafka, this.config.groupId, topic);
      const restored = await onGained(gained);
      const applied: number[] = [];
      for (const partition of gained) {
        if (this.epochs.get(partition) !== epochs.get(partition) || !this.restoring.has(partition)) continue;
        const state = restored.get(partition);
        const storedBelow = committed.get(partition) ?? null;
        const learnedBelow = state?.learnedUpTo === null || state?.learnedUpTo === undefined ? null : state.learnedUpTo + 1n;
        const from = state?.from;
        if (from !== null && from !== undefined && !this.control('seek', () => this.consumer.seek({ topic, partition, offset: from }))) {
          // Not in the group this instant: rewind at the next join instead.
          this.startOffsets.set(partition, from);
        }
        const stored = storedBelow ?? 0n;
        const learned = learnedBelow === null || learnedBelow < stored ? stored : learnedBelow;
        if (learned > 0n) this.replays.set(partition, { storedBelow: stored, learnedBelow: learned });
        this.restoring.delete(partition);
        applied.push(partition);
        this.logger.info({ partition, from: state?.from ?? 'committed', committed: storedBelow?.toString() ?? null, learnedUpTo: state?.learnedUpTo?.toString() ?? null }, 'partition state restored');
      }
      if (applied.length > 0 && !this.paused && !this.quiescing && !this.stopping) this.control('resume', () => this.consumer.resume([{ topic, partitions: applied }]));
      this.logger.info({ partitions: applied, superseded: gained.filter((partition) => !applied.includes(partition)), ms: Date.now() - started }, 'gained partitions ready');
    })().catch((error: unknown) => this.batches$.error(new RecError('REC_CHECKPOINT', `cannot restore the state of partitions ${gained.join(', ')}`, { cause: error })));
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
    this.control('pause', () => this.consumer.pause([{ topic: this.config.eventsTopic }]));
    try {
      for (;;) {
        if (this.stopping) throw new RecError('REC_KAFKA', 'source stopped while quiescing');
        // A batch fetched before the pause may still arrive; capture only at an instant with none in flight.
        if (this.inFlight === 0) return capture(new Map(this.positions));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      this.quiescing = false;
      if (!this.paused && !this.stopping) this.control('resume', () => this.consumer.resume([{ topic: this.config.eventsTopic }]));
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
      this.control('resume', () => this.consumer.resume([{ topic: this.config.eventsTopic }]));
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
    this.watch.stop();
    if (this.replacement !== null) await Promise.race([this.replacement, new Promise((resolve) => setTimeout(resolve, this.options.shutdownTimeoutMs))]);
    for (const consumer of this.retired) void consumer.disconnect().catch(() => undefined);
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


/** How long the coordinator waits for members to rejoin in a rebalance. */
function rebalanceTimeoutMs(config: KafkaConfig): number {
  return Math.max(config.sessionTimeoutMs, 10000);
}
