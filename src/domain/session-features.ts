import type { EventType } from './event.ts';

export type CountsByKey = Readonly<Record<string, number>>;

/** Event-time sliding-window features of one session, as written to Redis. */
export interface SessionFeatures {
  readonly session_id: string;
  readonly user_id: string | null;
  readonly partition: number;
  readonly first_seen: number;
  readonly last_seen: number;
  readonly event_count: number;
  /** Most recent item ids, newest last. */
  readonly last_items: readonly string[];
  readonly counts_5m: Partial<Record<EventType, number>>;
  readonly counts_1h: Partial<Record<EventType, number>>;
  readonly counts_24h: Partial<Record<EventType, number>>;
  readonly categories_5m: CountsByKey;
  readonly categories_1h: CountsByKey;
  readonly categories_24h: CountsByKey;
}
