import { feedIdOf, type Feed } from '../../domain/feed.ts';
import type { IntentList } from '../../domain/query-intent.ts';
import { featureHash } from '../../domain/session-features.ts';
import type { StateStore, StateWrites } from '../../ports/state-store.ts';

/**
 * In-process serving store with the same contract as the Redis one (test/contract runs one suite
 * against both). Used by the evaluation harness and unit tests, where no Redis is wanted.
 */
export class MemoryStateStore implements StateStore {
  private readonly feeds = new Map<string, string>();
  private readonly sessions = new Map<string, Record<string, string>>();
  private readonly intents = new Map<string, string>();

  async write(writes: StateWrites): Promise<void> {
    for (const features of writes.features) {
      this.sessions.set(features.session_id, featureHash(features));
    }
    // Stored as JSON text, like Redis, so readers never share objects with the writer.
    for (const write of writes.feeds) this.feeds.set(feedIdOf(write.owner), JSON.stringify(write.feed));
    for (const intent of writes.intents ?? []) this.intents.set(intent.key, JSON.stringify(intent.list));
  }

  async readIntent(key: string): Promise<IntentList | null> {
    const text = this.intents.get(key);
    return text === undefined ? null : (JSON.parse(text) as IntentList);
  }

  async readFeed(feedId: string): Promise<Feed | null> {
    const text = this.feeds.get(feedId);
    return text === undefined ? null : (JSON.parse(text) as Feed);
  }

  async readFeatures(sessionId: string): Promise<Readonly<Record<string, string>> | null> {
    return this.sessions.get(sessionId) ?? null;
  }

  async close(): Promise<void> {
    this.feeds.clear();
    this.sessions.clear();
    this.intents.clear();
  }
}
