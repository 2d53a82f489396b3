/** Behaviour event, v1. Mirrors schemas/events/behaviour-event.v1.schema.json (a unit test keeps them in step). */
export const EVENT_TYPES = [
  'search',
  'view',
  'click',
  'favorite',
  'add_to_cart',
  'remove_from_cart',
  'purchase',
  'rating',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface BehaviourEvent {
  readonly v?: 1;
  readonly event_id: string;
  readonly type: EventType;
  /** Event time, epoch milliseconds. */
  readonly ts: number;
  readonly session_id: string;
  readonly user_id?: string;
  /** Present on every type except `search` (the schema enforces it). */
  readonly item_id?: string;
  readonly query?: string;
  readonly category_id?: string;
  readonly price?: number;
  readonly quantity?: number;
  readonly rating?: number;
  readonly recommendation_id?: string;
  readonly device?: string;
  readonly tenant?: string;
}

/** Where a raw record came from: enough to find it again in Kafka. */
export interface RecordOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export type DeadLetterReason = 'REC_DECODE' | 'REC_ENCODING' | 'REC_SCHEMA' | 'REC_OVERSIZE' | 'REC_EMPTY';

/** A record that could not become an event, with why. Goes to the dead-letter topic and table. */
export interface DeadLetter {
  readonly origin: RecordOrigin;
  readonly reason: DeadLetterReason;
  readonly message: string;
  /** The payload as UTF-8 text, truncated. */
  readonly payload: string;
  readonly payloadBytes: number;
  readonly key: string | null;
  readonly receivedAt: number;
}

/** A valid event with where it came from and when the engine received it. */
export interface IngestedEvent {
  readonly event: BehaviourEvent;
  readonly origin: RecordOrigin;
  /** Wall-clock time the engine received the record (epoch ms). */
  readonly receivedAt: number;
  /** Set by the session window: the event arrived behind the partition watermark. */
  readonly late: boolean;
  /** Set by the session window: the event's session is taken for a bot (SessionState.bot), and why. */
  readonly bot?: 'rate' | 'repeat';
}
