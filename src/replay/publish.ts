import { RecError } from '../errors.ts';
import type { OutgoingMessage, EventPublisher } from '../ports/event-publisher.ts';
import type { ReplayRecord } from './invalid.ts';

export interface PublishOptions {
  readonly topic: string;
  /** Records per publish call. */
  readonly batchSize: number;
  /** Records per second across valid and invalid ones; 0 = as fast as the broker acks. */
  readonly rate: number;
  /** Checked between batches: an abort finishes the batch in flight, then stops. */
  readonly signal?: AbortSignal;
  readonly onBatch?: (progress: PublishProgress) => void;
  /** Monotonic ms clock and sleep, injectable so pacing is testable without waiting. */
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Tries per batch when the broker fails with a retriable error (a broker restarting, a leader moving); default 8. */
  readonly attempts?: number;
}

export interface PublishProgress {
  readonly valid: number;
  readonly invalid: number;
  readonly elapsedMs: number;
}

export interface PublishResult extends PublishProgress {
  readonly interrupted: boolean;
  /** Event-time range of the valid events sent, epoch ms; null when none were. */
  readonly firstTs: number | null;
  readonly lastTs: number | null;
}

function toMessage(record: ReplayRecord): OutgoingMessage {
  if (record.kind === 'raw') return { key: record.key, value: record.value };
  return { key: record.event.session_id, value: JSON.stringify(record.event) };
}

const DEFAULT_ATTEMPTS = 8;
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 8000;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends records in batches, keyed by session so one session stays on one partition and in order.
 * Pacing follows a schedule (a batch goes once its last record is due, record n at start + n / rate),
 * so a slow batch is caught up by the next ones and the average never exceeds the rate.
 */
export async function publishRecords(
  records: Iterable<ReplayRecord>,
  publisher: EventPublisher,
  options: PublishOptions,
): Promise<PublishResult> {
  const clock = options.clock ?? (() => performance.now());
  const sleep = options.sleep ?? defaultSleep;
  const start = clock();
  let valid = 0;
  let invalid = 0;
  let firstTs: number | null = null;
  let lastTs: number | null = null;
  let interrupted = false;
  let batch: ReplayRecord[] = [];

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    if (options.rate > 0) {
      const due = start + ((valid + invalid + batch.length) * 1000) / options.rate;
      const wait = due - clock();
      if (wait > 0) await sleep(wait);
    }
    const messages = batch.map(toMessage);
    const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await publisher.publish(options.topic, messages);
        break;
      } catch (error) {
        // A retried batch may be stored twice; the engine stores each event id once (FINAL).
        if (attempt >= attempts || !(error instanceof RecError && error.retriable)) throw error;
        await sleep(Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (attempt - 1)));
      }
    }
    for (const record of batch) {
      if (record.kind === 'raw') {
        invalid += 1;
        continue;
      }
      valid += 1;
      firstTs ??= record.event.ts;
      lastTs = record.event.ts;
    }
    batch = [];
    options.onBatch?.({ valid, invalid, elapsedMs: clock() - start });
  };

  for (const record of records) {
    if (options.signal?.aborted === true) {
      interrupted = true;
      break;
    }
    batch.push(record);
    if (batch.length >= options.batchSize) await flush();
  }
  if (!interrupted) {
    if (options.signal?.aborted === true && batch.length > 0) interrupted = true;
    else await flush();
  }
  return { valid, invalid, elapsedMs: clock() - start, interrupted, firstTs, lastTs };
}
