import type { BehaviourEvent, IngestedEvent } from '../../../src/domain/event.ts';
import type { SourceBatch, SourceRecord } from '../../../src/ports/event-source.ts';
import type { DecodedBatch } from '../../../pipelines/types.ts';

/** A fixed event-time origin (2024-01-01T00:00:00Z) so boundaries are easy to read. */
export const T0 = Date.UTC(2024, 0, 1);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

let nextId = 0;

/** A schema-valid view event; override any field. Ids are unique per call. */
export function event(overrides: Partial<BehaviourEvent> = {}): BehaviourEvent {
  nextId += 1;
  return { event_id: `e-${nextId}`, type: 'view', ts: T0, session_id: 's-1', item_id: 'i-1', ...overrides };
}

export interface FakeSourceBatch extends SourceBatch {
  /** How many times `ack()` was called. */
  readonly acks: number;
}

/** A source batch whose record values are the given payloads (objects are JSON-encoded). */
export function sourceBatch(
  values: readonly (object | string | Buffer | null)[],
  options: { partition?: number; firstOffset?: number; receivedAt?: number; topic?: string } = {},
): FakeSourceBatch {
  const firstOffset = options.firstOffset ?? 0;
  const records: SourceRecord[] = values.map((value, i) => ({
    offset: String(firstOffset + i),
    key: null,
    value: value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    timestamp: options.receivedAt ?? T0,
  }));
  let acks = 0;
  return {
    topic: options.topic ?? 'events',
    partition: options.partition ?? 0,
    records,
    receivedAt: options.receivedAt ?? T0,
    get acks() {
      return acks;
    },
    ack: async () => {
      acks += 1;
    },
  };
}

/** A decoded batch holding exactly these events (all on time, none dead-lettered). */
export function decodedBatch(events: readonly BehaviourEvent[], options: { partition?: number; firstOffset?: number; receivedAt?: number } = {}): DecodedBatch {
  const source = sourceBatch(events, options);
  const ingested: IngestedEvent[] = events.map((e, i) => ({
    event: e,
    origin: { topic: source.topic, partition: source.partition, offset: source.records[i]?.offset ?? '?' },
    receivedAt: source.receivedAt,
    late: false,
  }));
  return { source, events: ingested, deadLetters: [] };
}
