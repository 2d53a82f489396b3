import type { Feed, FeedWrite } from '../domain/feed.ts';
import type { IntentList } from '../domain/query-intent.ts';
import type { SessionFeatures } from '../domain/session-features.ts';

/** What one micro-batch changes in the serving store: each key at most once. */
export interface StateWrites {
  readonly features: readonly SessionFeatures[];
  readonly feeds: readonly FeedWrite[];
  /** Search intent lists under `q:<normalised query>` / `t:<token>`, for readers that rank by a query. */
  readonly intents?: readonly IntentWrite[];
}

export interface IntentWrite {
  readonly key: string;
  readonly list: IntentList;
}

/** The serving store the storefront reads (Redis in production). */
export interface StateStore {
  /** Applies all writes; resolves once the store acknowledged every one of them. */
  write(writes: StateWrites): Promise<void>;
  readFeed(feedId: string): Promise<Feed | null>;
  readFeatures(sessionId: string): Promise<Readonly<Record<string, string>> | null>;
  /** An intent list by its key (`q:<query>` / `t:<token>`), or null. */
  readIntent(key: string): Promise<IntentList | null>;
  close(): Promise<void>;
}
