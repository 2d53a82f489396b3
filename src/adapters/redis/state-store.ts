import { Redis } from 'ioredis';
import type { RedisConfig } from '../../config/config.ts';
import type { Feed } from '../../domain/feed.ts';
import type { IntentList } from '../../domain/query-intent.ts';
import { featureHash } from '../../domain/session-features.ts';
import { RecError } from '../../errors.ts';
import { redisCall } from './call.ts';
import type { StateStore, StateWrites } from '../../ports/state-store.ts';
import { RedisKeys } from './keys.ts';

/**
 * Redis-backed serving store. A whole micro-batch goes in one MULTI/EXEC: one round trip, and a reader
 * sees either all of a batch's lists or none — never a missing or half-written list. Writes are
 * idempotent (SET and HSET of full values), so a redelivered batch leaves the same state.
 */
export class RedisStateStore implements StateStore {
  readonly keys: RedisKeys;
  private readonly redis: Redis;

  constructor(private readonly config: RedisConfig) {
    this.keys = new RedisKeys(config.keyPrefix);
    this.redis = new Redis(config.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      commandTimeout: 10_000,
      enableOfflineQueue: true,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // Connection errors surface on the commands that need the connection; this only keeps ioredis quiet.
    this.redis.on('error', () => undefined);
  }

  async write(writes: StateWrites): Promise<void> {
    const intents = writes.intents ?? [];
    if (writes.features.length === 0 && writes.feeds.length === 0 && intents.length === 0) return;
    const multi = this.redis.multi();
    for (const features of writes.features) {
      const key = this.keys.session(features.session_id);
      multi.hset(key, featureHash(features));
      multi.expire(key, this.config.featureTtlSeconds);
    }
    for (const write of writes.feeds) {
      multi.set(this.keys.feed(write.owner), JSON.stringify(write.feed), 'EX', this.config.feedTtlSeconds);
    }
    for (const intent of intents) multi.set(this.keys.intent(intent.key), JSON.stringify(intent.list), 'EX', this.config.intentTtlSeconds);
    try {
      const results = await multi.exec();
      const failed = results?.find(([error]) => error !== null);
      if (results === null || failed !== undefined) {
        throw failed?.[0] ?? new Error('transaction aborted');
      }
    } catch (cause) {
      throw new RecError('REC_REDIS', `Redis write of ${writes.feeds.length} feeds and ${writes.features.length} sessions failed`, {
        retriable: true,
        cause,
      });
    }
  }

  /** Replaces the sets of items and categories no list may show (the Feed API filters every read with them). */
  async writeExclusions(items: readonly string[], categories: readonly string[]): Promise<void> {
    const multi = this.redis.multi().del(this.keys.excludedItems(), this.keys.excludedCategories());
    if (items.length > 0) multi.sadd(this.keys.excludedItems(), ...items);
    if (categories.length > 0) multi.sadd(this.keys.excludedCategories(), ...categories);
    await redisCall(() => multi.exec(), `write of ${items.length} excluded items and ${categories.length} categories`);
  }

  /** Deletes a user's feed and the feeds and feature hashes of their sessions; resolves with the keys deleted. */
  async forget(userId: string, sessionIds: readonly string[]): Promise<number> {
    const keys = [this.keys.feed({ kind: 'user', id: userId }), ...sessionIds.flatMap((id) => [this.keys.feed({ kind: 'session', id }), this.keys.session(id)])];
    return redisCall(() => this.redis.del(...keys), `delete of ${keys.length} keys`);
  }

  /**
   * A secret every process of the deployment shares: the first caller's `candidate` is kept (SET NX,
   * no expiry) and every caller gets the kept one.
   */
  async sharedSecret(name: string, candidate: string): Promise<string> {
    const key = `${this.keys.prefix}${name}`;
    await redisCall(() => this.redis.set(key, candidate, 'NX'), `set of ${key}`);
    const kept = await redisCall(() => this.redis.get(key), `read of ${key}`);
    if (kept === null) throw new RecError('REC_REDIS', `${key} vanished right after it was set`, { retriable: true });
    return kept;
  }

  async readIntent(key: string): Promise<IntentList | null> {
    const text = await redisCall(() => this.redis.get(this.keys.intent(key)), `read intent ${key}`);
    return text === null ? null : (JSON.parse(text) as IntentList);
  }

  async readFeed(feedId: string): Promise<Feed | null> {
    const text = await redisCall(() => this.redis.get(this.keys.feedById(feedId)), `read feed ${feedId}`);
    return text === null ? null : (JSON.parse(text) as Feed);
  }

  async readFeatures(sessionId: string): Promise<Readonly<Record<string, string>> | null> {
    const hash = await redisCall(() => this.redis.hgetall(this.keys.session(sessionId)), `read session ${sessionId}`);
    return Object.keys(hash).length === 0 ? null : hash;
  }

  /** Counts feed keys (SCAN, never KEYS): for the demo and operators, not the hot path. */
  async countFeeds(): Promise<number> {
    let cursor = '0';
    let count = 0;
    do {
      const [next, keys] = await redisCall(() => this.redis.scan(cursor, 'MATCH', this.keys.feedPattern(), 'COUNT', 1000), 'scan feeds');
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  }

  async ping(): Promise<void> {
    await redisCall(() => this.redis.ping(), 'ping');
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
