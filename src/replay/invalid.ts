import type { BehaviourEvent, DeadLetterReason } from '../domain/event.ts';

/** The deliberately broken records the replay can mix in, in the order they are cycled through. */
export const INVALID_KINDS = [
  'truncated-json',
  'ts-not-integer',
  'unknown-type',
  'view-without-item',
  'oversized',
  'unknown-field',
] as const;

export type InvalidKind = (typeof INVALID_KINDS)[number];

/**
 * The dead-letter reason the engine's decoder gives each kind, with its default 64 KiB record limit
 * (the oversized record is 70 KiB so it trips the size check before parsing).
 */
export const EXPECTED_REASON: Readonly<Record<InvalidKind, DeadLetterReason>> = {
  'truncated-json': 'REC_DECODE',
  'ts-not-integer': 'REC_SCHEMA',
  'unknown-type': 'REC_SCHEMA',
  'view-without-item': 'REC_SCHEMA',
  oversized: 'REC_OVERSIZE',
  'unknown-field': 'REC_SCHEMA',
};

/** What the replay sends: a valid event, or raw bytes that must end up in the dead-letter path. */
export type ReplayRecord =
  | { readonly kind: 'event'; readonly event: BehaviourEvent }
  | { readonly kind: 'raw'; readonly key: string; readonly value: Buffer; readonly flaw: InvalidKind };

const OVERSIZED_BYTES = 70 * 1024;

/**
 * A broken record modelled on a real event, so it reaches the same partition (same key) and looks
 * plausible up to its one flaw. Its event id gets a `-bad<n>` suffix so it never collides with a
 * valid event's id if a decoder is lenient.
 */
export function makeInvalid(kind: InvalidKind, basis: BehaviourEvent, ordinal: number): ReplayRecord {
  const event = { ...basis, event_id: `${basis.event_id}-bad${ordinal}` };
  const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');
  let value: Buffer;
  switch (kind) {
    case 'truncated-json': {
      const text = JSON.stringify(event);
      value = Buffer.from(text.slice(0, Math.floor(text.length / 2)), 'utf8');
      break;
    }
    case 'ts-not-integer':
      value = json({ ...event, ts: new Date(event.ts).toISOString() });
      break;
    case 'unknown-type':
      value = json({ ...event, type: 'teleport' });
      break;
    case 'view-without-item': {
      const { item_id: _dropped, ...rest } = event;
      value = json({ ...rest, type: 'view' });
      break;
    }
    case 'oversized':
      value = json({ ...event, device: 'x'.repeat(OVERSIZED_BYTES) });
      break;
    case 'unknown-field':
      value = json({ ...event, colour: 'teal' });
      break;
  }
  return { kind: 'raw', key: event.session_id, value, flaw: kind };
}

/**
 * The events in order, with one broken record after every `every` valid ones (0 = none), cycling
 * through INVALID_KINDS. Each broken record copies the valid event just before it.
 */
export function* withInvalid(events: Iterable<BehaviourEvent>, every: number): Generator<ReplayRecord> {
  let sinceLast = 0;
  let ordinal = 0;
  for (const event of events) {
    yield { kind: 'event', event };
    if (every <= 0) continue;
    sinceLast += 1;
    if (sinceLast < every) continue;
    sinceLast = 0;
    yield makeInvalid(INVALID_KINDS[ordinal % INVALID_KINDS.length] ?? 'truncated-json', event, ordinal);
    ordinal += 1;
  }
}

/** How many records `withInvalid` yields for `valid` events. */
export function recordCount(valid: number, every: number): number {
  return every <= 0 ? valid : valid + Math.floor(valid / every);
}
