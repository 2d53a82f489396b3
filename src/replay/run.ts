import { createKafka } from '../adapters/kafka/client.ts';
import { ensureTopics } from '../adapters/kafka/admin.ts';
import { KafkaPublisher } from '../adapters/kafka/producer.ts';
import { createLogger } from '../adapters/log/pino.ts';
import type { Config } from '../config/config.ts';
import { loadConfig } from '../config/load.ts';
import type { EventPublisher } from '../ports/event-publisher.ts';
import type { Logger } from '../ports/logger.ts';
import { loadDiginetica, REPLAY_SOURCES, type LoadedReplay, type ReplaySource } from './diginetica.ts';
import { RecError } from '../errors.ts';
import { interleaveSessions } from './interleave.ts';
import { recordCount, withInvalid } from './invalid.ts';
import { publishRecords, type PublishProgress } from './publish.ts';

export interface ReplayOptions {
  /** Folder laid out like the DIGINETICA download (raw-cikm2016/, srgnn-protocol/). */
  readonly dataDir: string;
  /** Defaults to all of REPLAY_SOURCES. */
  readonly sources?: readonly ReplaySource[];
  /** Most valid events in total; 0 (default) = everything selected. */
  readonly limit?: number;
  /** Records per second; 0 (default) = as fast as the broker acks. */
  readonly rate?: number;
  /** Records per produce call; default 500. */
  readonly batchSize?: number;
  /** One broken record after every N valid ones; 0 (default) = none. */
  readonly invalidEvery?: number;
  /** Move all timestamps so the newest is just before now; default true. */
  readonly shiftToNow?: boolean;
  /** Topic to produce to; default config.kafka.eventsTopic. */
  readonly topic?: string;
  readonly seed?: number;
  /** Wall clock for --shift-to-now, epoch ms; default Date.now(). */
  readonly now?: number;
  /** Default loadConfig() (STREAMREC_* environment). */
  readonly config?: Config;
  /** Default: a KafkaPublisher on config.kafka.brokers, after ensureTopics. Given ones are not closed. */
  readonly publisher?: EventPublisher;
  readonly logger?: Logger;
  /** Abort to stop after the batch in flight; the summary is still returned. */
  readonly signal?: AbortSignal;
  readonly onLoaded?: (loaded: LoadedReplay, totalRecords: number) => void;
  /** Sessions to keep out of the replay, chosen once the data is loaded (the demo replays one itself, live). */
  readonly holdOut?: (loaded: LoadedReplay) => ReadonlySet<string>;
  /**
   * Replay as a live stream: this many sessions open at once, taking turns, timestamps re-drawn from
   * the wall clock at `rate` (interleaveSessions). 0 (default) keeps recorded order and times.
   */
  readonly concurrentSessions?: number;
  readonly onProgress?: (progress: ReplayProgress) => void;
  readonly onNotice?: (message: string) => void;
}

export interface ReplayProgress {
  readonly sent: number;
  readonly total: number;
  readonly valid: number;
  readonly invalid: number;
  readonly elapsedMs: number;
}

/** What a replay did; printed by the CLI and written with --json-summary. */
export interface ReplaySummary {
  readonly topic: string;
  readonly dataDir: string;
  readonly sources: readonly ReplaySource[];
  readonly produced: { readonly valid: number; readonly invalid: number; readonly total: number };
  /** Valid events per source that were selected for sending (all are sent unless interrupted). */
  readonly selected: Readonly<Record<ReplaySource, number>>;
  /** Events each source file holds before --limit. */
  readonly available: Readonly<Record<ReplaySource, number>>;
  readonly srgnnSessions: { readonly taken: number; readonly available: number };
  readonly viewDays: { readonly first: string; readonly last: string } | null;
  readonly shiftMs: number;
  /** Event-time range of the valid events sent (ISO 8601), null when none were. */
  readonly eventTime: { readonly first: string; readonly last: string } | null;
  readonly interrupted: boolean;
  readonly loadSeconds: number;
  /** Seconds spent producing (excludes loading). */
  readonly wallSeconds: number;
  readonly eventsPerSecond: number;
  readonly notices: readonly string[];
}

function perSource(loaded: LoadedReplay, pick: 'events' | 'available'): Record<ReplaySource, number> {
  return { views: loaded.sources.views[pick], purchases: loaded.sources.purchases[pick], sessions: loaded.sources.sessions[pick] };
}

/**
 * Replays DIGINETICA into the events topic: loads and merges the selected sources, ensures the
 * topics exist, and produces JSON records keyed by session id. Config errors throw REC_CONFIG and
 * data errors REC_DATA, both before any broker is contacted; broker errors throw REC_KAFKA.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplaySummary> {
  const sources = options.sources ?? REPLAY_SOURCES;
  const invalidEvery = options.invalidEvery ?? 0;
  const config = options.config ?? loadConfig();
  const topic = options.topic ?? config.kafka.eventsTopic;
  const loadStart = performance.now();
  const loaded = await loadDiginetica({
    dataDir: options.dataDir,
    sources,
    limit: options.limit ?? 0,
    shiftToNow: options.shiftToNow ?? true,
    now: options.now ?? Date.now(),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.onNotice === undefined ? {} : { onNotice: options.onNotice }),
  });
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const held = options.holdOut?.(loaded) ?? new Set<string>();
  const kept = held.size === 0 ? loaded.events : loaded.events.filter((event) => !held.has(event.session_id));
  const concurrent = options.concurrentSessions ?? 0;
  if (concurrent > 0 && !(options.rate !== undefined && options.rate > 0)) throw new RecError('REC_CONFIG', 'concurrentSessions needs a rate: timestamps are drawn from it');
  const events = concurrent > 0 ? interleaveSessions(kept, concurrent, Date.now(), 1000 / (options.rate ?? 1)) : kept;
  const total = recordCount(events.length, invalidEvery);

  let publisher = options.publisher;
  let owned: KafkaPublisher | null = null;
  if (publisher === undefined) {
    const logger = options.logger ?? createLogger(config.log, 'replay');
    const kafka = createKafka(config.kafka, logger, '-replay');
    await ensureTopics(kafka, { ...config.kafka, eventsTopic: topic });
    owned = new KafkaPublisher(kafka, config.kafka.metadataMaxAgeMs);
    publisher = owned;
  }

  try {
    options.onLoaded?.(loaded, total);
    const onProgress = options.onProgress;
    const result = await publishRecords(withInvalid(events, invalidEvery), publisher, {
      topic,
      batchSize: options.batchSize ?? 500,
      rate: options.rate ?? 0,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(onProgress === undefined
        ? {}
        : { onBatch: (p: PublishProgress) => onProgress({ ...p, sent: p.valid + p.invalid, total }) }),
    });
    const wallSeconds = result.elapsedMs / 1000;
    const sent = result.valid + result.invalid;
    return {
      topic,
      dataDir: options.dataDir,
      sources: [...sources],
      produced: { valid: result.valid, invalid: result.invalid, total: sent },
      selected: perSource(loaded, 'events'),
      available: perSource(loaded, 'available'),
      srgnnSessions: loaded.srgnnSessions,
      viewDays: loaded.viewDays,
      shiftMs: loaded.shiftMs,
      eventTime:
        result.firstTs === null || result.lastTs === null
          ? null
          : { first: new Date(result.firstTs).toISOString(), last: new Date(result.lastTs).toISOString() },
      interrupted: result.interrupted,
      loadSeconds: round(loadSeconds, 3),
      wallSeconds: round(wallSeconds, 3),
      eventsPerSecond: wallSeconds > 0 ? Math.round(sent / wallSeconds) : 0,
      notices: loaded.notices,
    };
  } finally {
    await owned?.close();
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
