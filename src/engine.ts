import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { concatMap, tap, type Subscription } from 'rxjs';
import { cataloguePipeline } from '../pipelines/catalogue.pipeline.ts';
import { controlPipeline } from '../pipelines/control.pipeline.ts';
import { deltasPipeline } from '../pipelines/deltas.pipeline.ts';
import { enginePipeline } from '../pipelines/engine.pipeline.ts';
import { FileCheckpointStore } from './adapters/checkpoint/file-store.ts';
import { createClickHouse, createClickHouseNodes } from './adapters/clickhouse/client.ts';
import { checkCluster } from './adapters/clickhouse/cluster.ts';
import { migrate } from './adapters/clickhouse/migrate.ts';
import { ClickHousePrivacy } from './adapters/clickhouse/privacy.ts';
import { ClickHouseWriter } from './adapters/clickhouse/writer.ts';
import { endOffsets, ensureTopics, partitionsOf } from './adapters/kafka/admin.ts';
import { createKafka } from './adapters/kafka/client.ts';
import { KafkaPublisher } from './adapters/kafka/producer.ts';
import { KafkaEventSource } from './adapters/kafka/source.ts';
import { noopMetrics } from './adapters/memory/metrics.ts';
import { PrometheusMetrics } from './adapters/metrics/prometheus.ts';
import { startMetricsServer } from './adapters/metrics/server.ts';
import { RedisStateStore } from './adapters/redis/state-store.ts';
import type { Config } from './config/config.ts';
import { redactConfig } from './config/load.ts';
import { CandidateState } from './domain/candidate-state.ts';
import type { DeadLetter } from './domain/event.ts';
import { Experiment } from './domain/experiment.ts';
import type { FeedItem } from './domain/feed.ts';
import type { RecommendRequest } from './domain/recommender/recommender.ts';
import type { Command } from './domain/command.ts';
import { decodeCommand, decodeRuleChange } from './domain/decode.ts';
import type { RuleChange } from './domain/rules.ts';
import { loadRulesFile } from './runtime/rules-file.ts';
import { pseudonymizer } from './domain/pseudonym.ts';
import { explainItems } from './domain/reasons.ts';
import { covisitOnly } from './domain/recommender/covisit-only.ts';
import { recommendationId } from './domain/recommendation-id.ts';
import { SessionWindows } from './domain/session-windows.ts';
import { DeltaSequence, type StateDelta } from './domain/state-delta.ts';
import { describeError, RecError } from './errors.ts';
import type { AnalyticsRows } from './ports/analytics-sink.ts';
import type { Logger } from './ports/logger.ts';
import type { Metrics, SinkName } from './ports/metrics.ts';
import type { StateWrites } from './ports/state-store.ts';
import { BatchingAnalyticsSink } from './runtime/batching-sink.ts';
import { restoreGlobal, restorePartition, type CheckpointParts, type RestoreOutcome } from './runtime/checkpoint.ts';
import { startCheckpointer, type Checkpointer } from './runtime/checkpointer.ts';
import { MinuteStats } from './runtime/minute-stats.ts';
import { startModel } from './runtime/model-runtime.ts';
import { startStatsFlusher } from './runtime/stats-flusher.ts';
import { teeMetrics } from './runtime/tee-metrics.ts';
import { withRetry, type RetryPolicy } from './runtime/retry.ts';
import { CoalescingSender } from './runtime/coalescing-sender.ts';
import type { OutgoingMessage } from './ports/event-publisher.ts';
import { forgetUser } from './runtime/forget-user.ts';

/** Records of a control topic (commands, rules) in flight at once: small, they are carried out one by one. */
const CONTROL_IN_FLIGHT = 1000;

/** How often time-windowed exclusion rules are re-read into the Feed API's exclusion sets. */
const EXCLUSION_CHECK_MS = 5000;

/** Longest a killed process can hold the schema lock; migrations take well under a second each. */
const MIGRATION_LOCK_MS = 60_000;

/** Version tag written into every feed; bumps when the candidate logic changes. */
export const MODEL_VERSION = 'blend-v2';

export interface RunningEngine {
  readonly metrics: PrometheusMetrics;
  /** Resolves when the engine stopped: `null` after a clean stop, the error after a failure. */
  readonly done: Promise<unknown>;
  /** Drains in-flight work, commits, closes every connection. */
  stop(): Promise<void>;
  /** Writes a checkpoint now (resolves at once when `engine.checkpointDir` is empty). */
  checkpoint(): Promise<void>;
}

/**
 * Bytes of delta records joined into one Kafka request (a bigger micro-batch is split over requests).
 * Records are cut at ~256 KiB (DELTA_CHUNK_BYTES); the deltas topic takes batches up to 4 MiB, but a
 * topic created elsewhere keeps Kafka's 1 MiB default, which two full records still fit.
 */
const DELTA_REQUEST_BYTES = 512 * 1024;

async function timedWrite<T>(metrics: Metrics, sink: SinkName, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    const result = await fn();
    metrics.sinkWrite(sink, (performance.now() - start) / 1000, true);
    return result;
  } catch (error) {
    metrics.sinkWrite(sink, (performance.now() - start) / 1000, false);
    throw error;
  }
}

function deadLetterMessage(letter: DeadLetter): { key: string | null; value: string; headers: Record<string, string> } {
  return {
    key: letter.key,
    value: letter.payload,
    headers: {
      reason: letter.reason,
      message: letter.message.slice(0, 512),
      source: `${letter.origin.topic}/${letter.origin.partition}/${letter.origin.offset}`,
    },
  };
}

/**
 * The composition root: connects the adapters, prepares topics and tables, and runs the pipeline until
 * `stop()` or a fatal error. Only this file sees both adapters and pipelines.
 */
export interface EngineHooks {
  /** Also receives every instrument call (benchmarks record exact latencies through it). */
  readonly metrics?: Metrics;
}

export async function startEngine(config: Config, logger: Logger, hooks: EngineHooks = {}): Promise<RunningEngine> {
  logger.info({ config: redactConfig(config) }, 'starting engine');
  const prometheus = new PrometheusMetrics();
  let modelVersion = (): string => MODEL_VERSION;
  const instance = config.engine.instance === '' ? `${hostname()}:${process.pid}` : config.engine.instance;
  const minuteStats = new MinuteStats(instance, () => modelVersion(), Date.now);
  const metrics = hooks.metrics === undefined ? teeMetrics(prometheus, minuteStats) : teeMetrics(prometheus, minuteStats, hooks.metrics);
  const kafka = createKafka(config.kafka, logger);
  const clickhouse = createClickHouse(config.clickhouse);
  const clickhouseNodes = createClickHouseNodes(config.clickhouse);
  const redis = new RedisStateStore(config.redis);
  const publisher = new KafkaPublisher(kafka, config.kafka.metadataMaxAgeMs);
  let server: Server | null = null;

  const created = await ensureTopics(kafka, config.kafka);
  if (created.created.length > 0) logger.info({ topics: created.created, partitions: config.kafka.partitions }, 'created topics');
  await redis.ping();
  // Processes starting together would apply the same ALTERs at once; one at a time, each skips what is recorded.
  const cluster = config.clickhouse.cluster === '' ? undefined : { name: config.clickhouse.cluster, nodes: clickhouseNodes };
  if (cluster !== undefined) await checkCluster(clickhouse, cluster.name, cluster.nodes.length);
  const tables = await redis.withLock(`clickhouse-migrations:${config.clickhouse.database}`, MIGRATION_LOCK_MS, () => migrate(clickhouse, config.clickhouse.database, { cluster }));
  logger.info({ database: config.clickhouse.database, cluster: config.clickhouse.cluster, nodes: clickhouseNodes.length, files: tables }, 'ClickHouse schema applied');
  // User ids reach ClickHouse only as keyed hashes; without a configured key, the deployment shares one drawn once.
  const pseudonym = pseudonymizer(config.privacy.pseudonymKey !== '' ? config.privacy.pseudonymKey : await redis.sharedSecret('privacy:pseudonym-key', randomBytes(32).toString('base64url')));
  if (config.metrics.port > 0) {
    server = await startMetricsServer(prometheus.registry, config.metrics.host, config.metrics.port);
    logger.info({ url: `http://${config.metrics.host}:${config.metrics.port}/metrics` }, 'metrics endpoint up');
  }

  const policy: RetryPolicy = { retries: config.engine.sinkRetries, baseMs: 200, maxMs: 5000 };
  const decodeOptions = { maxBytes: config.engine.maxMessageBytes, payloadBytes: config.engine.deadLetterPayloadBytes };
  const experiment = Experiment.fromConfig(config.experiment, config.engine.variant);
  // Every stored event carries the arm its session (or user) is assigned to, like the lists it is shown.
  const writer = new ClickHouseWriter(
    clickhouse,
    config.clickhouse.database,
    (event) => experiment.assign({ sessionId: event.session_id, userId: event.user_id ?? null }).name,
    { pseudonym, userKeyedTopics: new Set([config.kafka.commandsTopic]) },
  );
  const sink = new BatchingAnalyticsSink(
    (rows) => withRetry('clickhouse insert', () => timedWrite(metrics, 'clickhouse', () => writer.insert(rows)), policy, logger),
    { maxRows: config.clickhouse.batchMaxRows, maxWaitMs: config.clickhouse.batchMaxWaitMs },
  );
  const writeState = (writes: StateWrites): Promise<void> =>
    withRetry('redis write', () => timedWrite(metrics, 'redis', () => redis.write(writes)), policy, logger);
  const appendAnalytics = async (rows: AnalyticsRows): Promise<void> => {
    const dlq =
      rows.deadLetters.length === 0
        ? Promise.resolve()
        : withRetry(
            'dead-letter publish',
            () => timedWrite(metrics, 'dlq', () => publisher.publish(config.kafka.deadLetterTopic, rows.deadLetters.map(deadLetterMessage))),
            policy,
            logger,
          );
    await Promise.all([sink.append(rows), dlq]);
  };

  const windows = SessionWindows.fromConfig(config.sessions);
  const checkpoints = config.engine.checkpointDir === '' ? null : new FileCheckpointStore(config.engine.checkpointDir, instance);
  const loaded = checkpoints === null ? null : await checkpoints.loadGlobal(config.kafka.eventsTopic);
  const modelRuntime = await startModel(config.model, metrics, logger, loaded?.model ?? null);
  if (modelRuntime !== null) modelVersion = () => `${MODEL_VERSION}+${modelRuntime.model.modelVersion}`;
  const statsFlusher = startStatsFlusher(
    minuteStats,
    (rows, writtenMs) => withRetry('engine figures insert', () => timedWrite(metrics, 'clickhouse', () => writer.insertStats(rows, writtenMs)), { ...policy, retries: 2 }, logger),
    config.engine.statsFlushMs,
    logger,
    Date.now,
  );
  const candidates = new CandidateState(config.candidates, modelRuntime?.model, {
    maxItems: config.reasons.coPurchaseMaxItems,
    maxPartners: config.reasons.coPurchaseMaxPartners,
    maxSessions: config.reasons.coPurchaseMaxSessions,
    supportCap: Math.max(20, config.reasons.boughtTogetherMinSessions),
  });
  const reasonOptions = {
    covisitNeighbours: config.candidates.covisitNeighbours,
    trendingTopK: config.candidates.trendingTopK,
    boughtTogetherMinSessions: config.reasons.boughtTogetherMinSessions,
  };
  /** Events partition → highest offset any process has learned from (from the deltas). */
  const learned = new Map<number, bigint>();
  const source = new KafkaEventSource(
    kafka,
    config.kafka,
    {
      maxInFlightEvents: config.engine.maxInFlightEvents,
      shutdownTimeoutMs: config.engine.shutdownTimeoutMs,
      // A partition this process takes over resumes from its owner's last checkpoint of its sessions.
      onGained: async (partitions) => {
        // The previous owner's last deltas may still be on their way here: apply them first, so its
        // learned events are not learned twice.
        await catchUp(config.kafka.deltasTopic, deltaPositions);
        const out = new Map<number, { from: string | null; learnedUpTo: bigint | null }>();
        for (const partition of partitions) {
          const saved = checkpoints === null ? null : await checkpoints.loadPartition(config.kafka.eventsTopic, partition);
          const from = saved === null ? null : restorePartition(saved, windows, config.kafka.eventsTopic);
          if (saved !== null) logger.info({ partition, offset: from, sessions: saved.sessions.sessions.length, by: saved.instance, createdAt: new Date(saved.createdAt).toISOString() }, 'partition sessions restored from checkpoint');
          out.set(partition, { from, learnedUpTo: learned.get(partition) ?? null });
        }
        return out;
      },
    },
    metrics,
    logger,
  );
  /**
   * A global stream (catalogue, commands, rules): every process reads the whole compacted topic from
   * its start at each start, in a consumer group of its own, so a restart from an older checkpoint
   * applies it all again.
   */
  const globalSource = async (topic: string, label: string, maxInFlightEvents: number, from: ReadonlyMap<number, string> = new Map()): Promise<KafkaEventSource> => {
    const globalStream = new KafkaEventSource(
      kafka,
      { ...config.kafka, eventsTopic: topic, groupId: `${config.kafka.groupId}.${label}.${instance}`, fromBeginning: true },
      { maxInFlightEvents, shutdownTimeoutMs: config.engine.shutdownTimeoutMs },
      { ...noopMetrics(), consumerLag: (lagTopic, partition, lag) => metrics.consumerLag(lagTopic, partition, lag) },
      logger,
    );
    globalStream.startFrom(new Map((await partitionsOf(kafka, topic)).map((partition) => [partition, from.get(partition) ?? '0'])));
    return globalStream;
  };
  /** Waits until `positions` reached the end each partition of `topic` had when called. */
  const catchUp = async (topic: string, positions: ReadonlyMap<number, string>): Promise<void> => {
    const started = performance.now();
    const ends = await endOffsets(kafka, topic);
    const behind = (): number => [...ends].reduce((sum, [partition, end]) => sum + Math.max(0, Number(end - BigInt(positions.get(partition) ?? '0'))), 0);
    let lastLog = started;
    while (behind() > 0) {
      if (deltaFailure !== null) throw new RecError('REC_KAFKA', `cannot apply the state deltas of ${topic}`, { cause: deltaFailure });
      if (performance.now() - lastLog > 5000) {
        logger.info({ topic, behind: behind() }, 'applying the state deltas published before this start');
        lastLog = performance.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    logger.info({ topic, records: [...ends.values()].reduce((sum, end) => sum + end, 0n).toString(), ms: Math.round(performance.now() - started) }, 'shared state caught up');
  };
  const itemSource = await globalSource(config.kafka.itemUpdatesTopic, 'catalogue', config.engine.maxInFlightEvents);
  const commandSource = await globalSource(config.kafka.commandsTopic, 'commands', CONTROL_IN_FLIGHT);
  const privacy = new ClickHousePrivacy(clickhouse, config.clickhouse.database, clickhouseNodes);
  for (const rule of await loadRulesFile(config.candidates.rulesFile)) candidates.rules.apply({ kind: 'upsert', rule });
  const ruleSource = await globalSource(config.kafka.rulesTopic, 'rules', CONTROL_IN_FLIGHT);
  // Items out of stock or excluded by a rule, as the Feed API filters every read: rewritten when they change.
  let written = { stock: -1, rules: -1, signature: '' };
  const syncExclusions = async (clockTick = false): Promise<void> => {
    const stock = candidates.catalogue.stockGeneration;
    const rules = candidates.rules.generation;
    // Without a change of stock or rules, only the clock (rule time windows) can move the sets.
    if (!clockTick && stock === written.stock && rules === written.rules) return;
    const ruled = candidates.rules.excludedNow(Date.now());
    const items = [...new Set([...candidates.catalogue.outOfStock(), ...ruled.items])].sort();
    const categories = [...ruled.categories].sort();
    const signature = `${items.join(',')}|${categories.join(',')}`;
    if (signature !== written.signature) await withRetry('exclusions write', () => redis.writeExclusions(items, categories), policy, logger);
    written = { stock, rules, signature };
  };
  // Shared state: every process publishes what its events taught and applies everyone else's.
  const sequence = new DeltaSequence(Date.now() * 1000);
  const deltaSender = new CoalescingSender<OutgoingMessage>(
    async (messages) => {
      await withRetry('state delta publish', () => timedWrite(metrics, 'deltas', () => publisher.publish(config.kafka.deltasTopic, messages)), policy, logger);
      metrics.stateDeltas('published', messages.length, null);
    },
    (message) => (typeof message.value === 'string' ? Buffer.byteLength(message.value) : message.value.byteLength),
    DELTA_REQUEST_BYTES,
  );
  const deltaPositions = new Map<number, string>();
  const parts: CheckpointParts = {
    instance,
    topic: config.kafka.eventsTopic,
    windows,
    candidates,
    modelVersion: () => modelVersion(),
    deltaPositions: () => deltaPositions,
    deltaSeq: () => sequence.last,
  };
  let restored: RestoreOutcome | null = null;
  if (loaded !== null) {
    restored = restoreGlobal(loaded.checkpoint, parts);
    if (restored === null) {
      logger.warn({ dir: config.engine.checkpointDir, topic: loaded.checkpoint.topic, format: loaded.checkpoint.format }, 'checkpoint is for another topic or format; starting from empty state');
    } else {
      for (const [partition, offset] of restored.deltaPositions) deltaPositions.set(partition, offset);
      logger.info({ dir: config.engine.checkpointDir, by: loaded.checkpoint.instance, createdAt: new Date(loaded.checkpoint.createdAt).toISOString(), deltas: loaded.checkpoint.deltas.positions, rankerRestored: restored.rankerRestored }, 'shared state restored from checkpoint');
    }
  }
  const known = restored?.known ?? null;
  let deltaFailure: unknown = null;
  let started = false;
  const deltaSource = await globalSource(config.kafka.deltasTopic, 'deltas', config.engine.maxInFlightEvents, deltaPositions);
  const deltaSubscription = deltaSource
    .batches()
    .pipe(
      deltasPipeline({
        candidates,
        known: (delta: StateDelta) => (delta.origin === instance && delta.seq >= sequence.first) || (known !== null && delta.origin === known.origin && delta.seq <= known.seq),
        seen: (delta: StateDelta) => {
          const offset = BigInt(delta.lastOffset);
          if (offset > (learned.get(delta.partition) ?? -1n)) learned.set(delta.partition, offset);
        },
        positions: deltaPositions,
        ...(modelRuntime === null ? {} : { trainModel: modelRuntime.train }),
        modelBatchSize: config.model.batchSize,
        decode: { maxBytes: Number.MAX_SAFE_INTEGER, payloadBytes: config.engine.deadLetterPayloadBytes },
        metrics,
        wallMs: Date.now,
        appendAnalytics,
      }),
    )
    .subscribe({
      error: (error: unknown) => {
        logger.error({ err: describeError(error) }, 'state-deltas pipeline failed; stopping');
        deltaFailure = error;
        if (started) stopping ??= shutdown(error);
      },
    });
  // Serve and learn only once the shared state holds everything the others published before this start.
  await catchUp(config.kafka.deltasTopic, deltaPositions);
  const checkpointer: Checkpointer | null =
    checkpoints === null
      ? null
      : startCheckpointer(checkpoints, source, parts, () => modelRuntime?.artifacts() ?? null, config.engine.checkpointIntervalMs, logger, Date.now);

  let finish: (outcome: unknown) => void = () => undefined;
  const done = new Promise<unknown>((resolve) => (finish = resolve));
  const assignmentSubscription = source.assignments().subscribe((assignment) => {
    const dropped = windows.retain(assignment.partitions);
    if (dropped > 0) metrics.sessionsEvicted('revoked', dropped);
  });
  let stopping: Promise<void> | null = null;
  let catalogueSubscription: Subscription | null = null;
  let commandSubscription: Subscription | null = null;
  let ruleSubscription: Subscription | null = null;
  let retention: NodeJS.Timeout | null = null;
  // Rules with time windows start and end without any message: the exclusions are checked every few seconds too.
  const exclusionTimer = setInterval(() => void syncExclusions(true).catch((error: unknown) => logger.warn({ err: describeError(error) }, 'exclusions write failed')), EXCLUSION_CHECK_MS);
  const shutdown = async (failure: unknown): Promise<void> => {
    const started = performance.now();
    if (retention !== null) clearInterval(retention);
    clearInterval(exclusionTimer);
    await source.stop().catch((error: unknown) => logger.warn({ err: describeError(error) }, 'source stop failed'));
    await itemSource.stop().catch((error: unknown) => logger.warn({ err: describeError(error) }, 'item-updates source stop failed'));
    await commandSource.stop().catch((error: unknown) => logger.warn({ err: describeError(error) }, 'commands source stop failed'));
    await ruleSource.stop().catch((error: unknown) => logger.warn({ err: describeError(error) }, 'rules source stop failed'));
    await deltaSource.stop().catch((error: unknown) => logger.warn({ err: describeError(error) }, 'state-deltas source stop failed'));
    deltaSubscription.unsubscribe();
    ruleSubscription?.unsubscribe();
    catalogueSubscription?.unsubscribe();
    commandSubscription?.unsubscribe();
    logger.info({ ms: Math.round(performance.now() - started) }, 'consumer stopped');
    await checkpointer?.stop();
    subscription.unsubscribe();
    assignmentSubscription.unsubscribe();
    await sink.close();
    await statsFlusher.stop();
    await modelRuntime?.stop();
    await Promise.allSettled([redis.close(), publisher.close(), clickhouse.close(), ...clickhouseNodes.map((node) => node.close())]);
    if (server !== null) await new Promise((resolve) => server?.close(resolve));
    finish(failure);
  };
  const subscription: Subscription = source
    .batches()
    .pipe(
      enginePipeline({
        decode: decodeOptions,
        windows,
        candidates,
        feeds: {
          feedSize: config.candidates.feedSize,
          variant: config.engine.variant,
          modelVersion,
          now: Date.now,
          recommendationId,
          ...(config.reasons.enabled ? { explain: (items: readonly FeedItem[], request: RecommendRequest) => explainItems(items, request, candidates, reasonOptions) } : {}),
          arm: (owner, userId) => {
            const arm = experiment.assign(owner.kind === 'session' ? { sessionId: owner.id, userId } : { sessionId: null, userId: owner.id });
            return arm.ranker === 'full' ? { variant: arm.name, recommend: (request, n) => candidates.recommender.recommend(request, n) } : { variant: arm.name, recommend: (request, n) => covisitOnly(request, candidates.covisit, candidates.trending, n, config.candidates) };
          },
        },
        ...(modelRuntime === null ? {} : { trainModel: modelRuntime.train, modelBatchSize: config.model.batchSize }),
        writeState,
        writeStateMaxKeys: config.redis.writeMaxKeys,
        share: {
          origin: instance,
          sequence,
          examples: modelRuntime !== null,
          rankerChange: () => candidates.recommender.ranker.shared.take(),
          publish: (deltas) => deltaSender.publish(deltas.map((delta) => ({ key: instance, value: JSON.stringify(delta) }))),
          wallMs: Date.now,
          concurrency: 64,
        },
        appendAnalytics,
        // Waiting batches only hold rows the sink is already buffering into one insert, and the source's
        // in-flight bound caps them; a small bound here let a stream of small fetches outgrow the sink
        // (eight batches per insert) and stalled acknowledgements.
        analyticsConcurrency: 1024,
        metrics,
        monotonicMs: () => performance.now(),
        wallMs: Date.now,
      }),
    )
    .subscribe({
      error: (error: unknown) => {
        logger.error({ err: describeError(error) }, 'pipeline failed; stopping without committing the failed batch');
        stopping ??= shutdown(error);
      },
      complete: () => {
        stopping ??= shutdown(null);
      },
    });
  // A side stream that fails stops the engine like the main one: nothing after the failed batch is committed.
  const stopOnError = (stream: string): { error: (error: unknown) => void } => ({
    error: (error: unknown) => {
      logger.error({ err: describeError(error) }, `${stream} pipeline failed; stopping without committing the failed batch`);
      stopping ??= shutdown(error);
    },
  });
  catalogueSubscription = itemSource
    .batches()
    .pipe(
      cataloguePipeline({ decode: decodeOptions, target: candidates, appendAnalytics, metrics }),
      tap(() => metrics.stateSize('catalogue_items', candidates.catalogue.size)),
      concatMap(async (batch) => {
        await syncExclusions();
        return batch;
      }),
    )
    .subscribe(stopOnError('item-updates'));
  commandSubscription = commandSource
    .batches()
    .pipe(
      controlPipeline<Command>({
        decode: (record) => decodeCommand(record, decodeOptions),
        execute: async (command) => {
          const done = await withRetry('forget user', () => forgetUser(command, { windows, candidates, redis, clickhouse: privacy, pseudonym, instance, now: Date.now }), policy, logger);
          logger.info({ user: pseudonym(command.user_id), sessions: done.sessions, requestedAt: new Date(command.requested_ms).toISOString() }, 'user forgotten');
        },
        appendAnalytics,
      }),
    )
    .subscribe(stopOnError('commands'));
  ruleSubscription = ruleSource
    .batches()
    .pipe(
      controlPipeline<RuleChange>({
        decode: (record) => decodeRuleChange(record, decodeOptions),
        execute: async (change) => {
          candidates.rules.apply(change);
          metrics.stateSize('rules', candidates.rules.size);
          await syncExclusions();
          logger.info(change.kind === 'upsert' ? { rule: change.rule.id, action: change.rule.action } : { rule: change.id, deleted: true }, 'rule applied');
        },
        appendAnalytics,
      }),
    )
    .subscribe(stopOnError('rules'));
  await syncExclusions();
  if (config.privacy.retentionDays > 0) {
    const expire = (): void =>
      void privacy
        .expire(config.privacy.retentionDays, Date.now())
        .then(() => logger.info({ days: config.privacy.retentionDays }, 'retention deletes issued'))
        .catch((error: unknown) => logger.warn({ err: describeError(error) }, 'retention deletes failed; trying again at the next interval'));
    expire();
    retention = setInterval(expire, config.privacy.retentionIntervalMs);
  }
  started = true;
  if (deltaFailure !== null) stopping ??= shutdown(deltaFailure);
  logger.info({ topic: config.kafka.eventsTopic, group: config.kafka.groupId, itemUpdates: config.kafka.itemUpdatesTopic, commands: config.kafka.commandsTopic, arms: experiment.arms }, 'engine running');
  return {
    metrics: prometheus,
    done,
    checkpoint: async () => {
      await checkpointer?.checkpoint();
    },
    stop: async () => {
      stopping ??= shutdown(null);
      await stopping;
    },
  };
}
