import type { ApiConfig } from '../../../../src/config/config.ts';
import { loadConfig } from '../../../../src/config/load.ts';
import type { Feed } from '../../../../src/domain/feed.ts';
import type { EventPublisher, OutgoingMessage } from '../../../../src/ports/event-publisher.ts';
import type { IntentList } from '../../../../src/domain/query-intent.ts';
import type { FeedReader, SessionView } from '../../../../src/ports/feed-reader.ts';

export const FULL_KEY = 'full-key-0123456789';
export const PUBLIC_KEY = 'public-key-0123456789';

export function apiConfig(overrides: Record<string, string> = {}): ApiConfig {
  return loadConfig({ STREAMREC_API_KEYS: FULL_KEY, STREAMREC_API_PUBLIC_KEY: PUBLIC_KEY, ...overrides }).api;
}

/** In-memory feed reader; `failWith` makes every read throw (a store outage or timeout). */
export class MemoryFeedReader implements FeedReader {
  readonly feeds = new Map<string, Feed>();
  readonly sessions = new Map<string, SessionView>();
  readonly intents = new Map<string, IntentList>();
  failWith: unknown = null;

  readIntents(keys: readonly string[]): Promise<(IntentList | null)[]> {
    if (this.failWith !== null) return Promise.reject(this.failWith);
    return Promise.resolve(keys.map((key) => this.intents.get(key) ?? null));
  }

  readFeed(feedId: string): Promise<Feed | null> {
    if (this.failWith !== null) return Promise.reject(this.failWith);
    return Promise.resolve(this.feeds.get(feedId) ?? null);
  }

  readSession(sessionId: string): Promise<SessionView | null> {
    if (this.failWith !== null) return Promise.reject(this.failWith);
    return Promise.resolve(this.sessions.get(sessionId) ?? null);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class RecordingPublisher implements EventPublisher {
  readonly sent: { topic: string; messages: readonly OutgoingMessage[] }[] = [];

  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.sent.push({ topic, messages });
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function feedOf(items: Feed['items'], extra: Partial<Feed> = {}): Feed {
  return { items, generated_at: 1_700_000_000_000, event_ts: 1_700_000_000_000, version: 1, model_version: 'blend-v2', variant: 'default', recommendation_id: 'rec-1', ...extra };
}
