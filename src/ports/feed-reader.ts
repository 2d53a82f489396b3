import type { Feed } from '../domain/feed.ts';
import type { IntentList } from '../domain/query-intent.ts';

/** What the serving store knows about a live session, as the engine last wrote it. */
export interface SessionView {
  readonly sessionId: string;
  readonly userId: string | null;
  /** Most recent items, newest last. */
  readonly lastItems: readonly string[];
  /** Category → events in the last hour. */
  readonly categories: Readonly<Record<string, number>>;
  readonly lastSeen: number;
}

/**
 * Read side of the serving store for the Feed API. Every call is bounded by a timeout and fails
 * (REC_REDIS, retriable) rather than wait: a read never blocks on the engine or a slow store.
 */
export interface FeedReader {
  /** The list under a public feed id (`s:<session>` / `u:<user>`), or null when there is none. */
  readFeed(feedId: string): Promise<Feed | null>;
  readSession(sessionId: string): Promise<SessionView | null>;
  /** Search intent lists by key (`q:<normalised query>`, `t:<token>`), null where absent, in one round trip. */
  readIntents(keys: readonly string[]): Promise<(IntentList | null)[]>;
  close(): Promise<void>;
}
