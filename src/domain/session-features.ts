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

/** The flat string map a session's features are stored as (a Redis hash). */
export function featureHash(features: SessionFeatures): Record<string, string> {
  return {
    session_id: features.session_id,
    user_id: features.user_id ?? '',
    partition: String(features.partition),
    first_seen: String(features.first_seen),
    last_seen: String(features.last_seen),
    event_count: String(features.event_count),
    last_items: JSON.stringify(features.last_items),
    counts_5m: JSON.stringify(features.counts_5m),
    counts_1h: JSON.stringify(features.counts_1h),
    counts_24h: JSON.stringify(features.counts_24h),
    categories_5m: JSON.stringify(features.categories_5m),
    categories_1h: JSON.stringify(features.categories_1h),
    categories_24h: JSON.stringify(features.categories_24h),
  };
}
