import type { TrainingExample } from '../model/trainer.ts';
import type { BehaviourEvent } from './event.ts';
import type { CheckResult } from './decode.ts';
import { checkEvent } from './event-validator.ts';
import type { ActiveQuery } from './query-intent.ts';
import type { HeldCount } from './trending-hold.ts';

export const DELTA_FORMAT = 1;

/**
 * What one on-time event teaches the shared (not per-partition) state, apart from the ranker: every
 * process applies it the same way (CandidateState.absorb), the one that read the event at once and the
 * others when the delta reaches them.
 */
export interface Observation {
  readonly event: BehaviourEvent;
  readonly ingestedAt: number;
  /** Distinct items the session took just before, newest first (co-visitation window). */
  readonly previous: readonly string[];
  /** The session's search in force (query intent). */
  readonly query?: ActiveQuery;
}

/**
 * What one micro-batch of one events partition taught the shared state, as the publisher holds it: its
 * events' observations, trending counts released after the bot check, model examples, and the change
 * of the ranker's parameters since the process's previous delta (null when none).
 */
export interface DeltaParts {
  readonly origin: string;
  /** The events partition and the last offset whose learning this carries. */
  readonly partition: number;
  readonly lastOffset: string;
  readonly observations: readonly Observation[];
  readonly counts: readonly HeldCount[];
  readonly examples: readonly TrainingExample[];
  readonly ranker: Float64Array | null;
}

/** One record of the deltas topic: (part of) a DeltaParts, numbered; `seq` grows per origin. */
export interface StateDelta extends Omit<DeltaParts, 'ranker'> {
  readonly format: typeof DELTA_FORMAT;
  readonly seq: number;
  /** Wall clock at publication, epoch ms (receivers measure staleness from it). */
  readonly sentAt: number;
  /** Ranker parameter change, Float64 little-endian, base64; absent when unchanged. */
  readonly ranker?: string;
}

/** Most bytes of observations, counts and examples one delta record carries (Kafka's default limit is 1 MiB). */
export const DELTA_CHUNK_BYTES = 256 * 1024;

export function encodeParameters(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

export function decodeParameters(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Float64Array(bytes.length / 8);
  Buffer.from(out.buffer).set(bytes.subarray(0, out.length * 8));
  return out;
}

/**
 * Splits one micro-batch's contribution into records of at most about `chunkBytes`, numbered from
 * `sequence`. The ranker change rides on the last record, so a receiver adds it once.
 */
export function buildDeltas(parts: DeltaParts, sequence: DeltaSequence, sentAt: number, chunkBytes = DELTA_CHUNK_BYTES): StateDelta[] {
  const out: Omit<StateDelta, 'seq'>[] = [];
  let observations: Observation[] = [];
  let counts: HeldCount[] = [];
  let examples: TrainingExample[] = [];
  let bytes = 0;
  const flush = (ranker?: string): void => {
    out.push({
      format: DELTA_FORMAT,
      origin: parts.origin,
      sentAt,
      partition: parts.partition,
      lastOffset: parts.lastOffset,
      observations,
      counts,
      examples,
      ...(ranker === undefined ? {} : { ranker }),
    });
    observations = [];
    counts = [];
    examples = [];
    bytes = 0;
  };
  const add = <T>(list: T[], value: T): void => {
    const size = JSON.stringify(value).length;
    if (bytes > 0 && bytes + size > chunkBytes) flush();
    list.push(value);
    bytes += size;
  };
  for (const observation of parts.observations) add(observations, observation);
  for (const count of parts.counts) add(counts, count);
  for (const example of parts.examples) add(examples, example);
  flush(parts.ranker === null ? undefined : encodeParameters(parts.ranker));
  const first = sequence.reserve(out.length);
  return out.map((delta, i) => ({ ...delta, seq: first + i }));
}

/** True when a delta would change nothing. */
export function isEmptyDelta(parts: DeltaParts): boolean {
  return parts.observations.length === 0 && parts.counts.length === 0 && parts.examples.length === 0 && parts.ranker === null;
}


const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((entry) => typeof entry === 'string');

function checkObservation(value: unknown, at: string): string | null {
  if (!isObject(value)) return `${at} is not an object`;
  const event = checkEvent(value['event']);
  if (!event.ok) return `${at}.event: ${event.errors.join('; ')}`;
  if (typeof value['ingestedAt'] !== 'number') return `${at}.ingestedAt is not a number`;
  if (!isStrings(value['previous'])) return `${at}.previous is not a list of item ids`;
  const query = value['query'];
  if (query !== undefined && (!isObject(query) || typeof query['text'] !== 'string' || typeof query['ts'] !== 'number' || typeof query['steps'] !== 'number')) {
    return `${at}.query is not { text, ts, steps }`;
  }
  return null;
}

function checkCount(value: unknown, at: string): string | null {
  if (!isObject(value)) return `${at} is not an object`;
  if (typeof value['session'] !== 'string' || typeof value['item'] !== 'string') return `${at} lacks session or item`;
  if (value['category'] !== null && typeof value['category'] !== 'string') return `${at}.category is not a string or null`;
  if (typeof value['weight'] !== 'number' || typeof value['ts'] !== 'number') return `${at} lacks weight or ts`;
  return null;
}

function checkExample(value: unknown, at: string): string | null {
  if (!isObject(value) || !isStrings(value['context']) || typeof value['target'] !== 'string') return `${at} is not { context: string[], target: string }`;
  return null;
}

function checkList(value: unknown, name: string, check: (entry: unknown, at: string) => string | null): string | null {
  if (!Array.isArray(value)) return `${name} is not a list`;
  for (let i = 0; i < value.length; i += 1) {
    const error = check(value[i], `${name}[${i}]`);
    if (error !== null) return error;
  }
  return null;
}

/** Validates a parsed delta record; the error names the first thing wrong. */
export function checkDelta(value: unknown): CheckResult<StateDelta> {
  if (!isObject(value)) return { ok: false, error: 'delta is not a JSON object' };
  if (value['format'] !== DELTA_FORMAT) return { ok: false, error: `delta format ${String(value['format'])} is not ${DELTA_FORMAT}` };
  if (typeof value['origin'] !== 'string' || value['origin'] === '') return { ok: false, error: 'delta origin is missing' };
  for (const field of ['seq', 'sentAt', 'partition']) {
    if (typeof value[field] !== 'number' || !Number.isInteger(value[field])) return { ok: false, error: `delta ${field} is not an integer` };
  }
  if (typeof value['lastOffset'] !== 'string' || !/^\d+$/.test(value['lastOffset'])) return { ok: false, error: 'delta lastOffset is not an offset' };
  const error =
    checkList(value['observations'], 'observations', checkObservation) ?? checkList(value['counts'], 'counts', checkCount) ?? checkList(value['examples'], 'examples', checkExample);
  if (error !== null) return { ok: false, error };
  const ranker = value['ranker'];
  if (ranker !== undefined && (typeof ranker !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(ranker) || (Buffer.from(ranker, 'base64').length % 8) !== 0)) {
    return { ok: false, error: 'delta ranker is not base64 of Float64 values' };
  }
  return { ok: true, value: value as unknown as StateDelta };
}

/** Numbers this process's delta records; starts from the wall clock so a restart under the same name never reuses a number. */
export class DeltaSequence {
  private next: number;

  constructor(readonly first: number) {
    this.next = first;
  }

  /** Reserves `count` numbers; returns the first. */
  reserve(count: number): number {
    const start = this.next;
    this.next += count;
    return start;
  }

  /** The last number handed out (first − 1 before any). */
  get last(): number {
    return this.next - 1;
  }
}
