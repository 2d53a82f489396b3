import type { Feed } from '../../domain/feed.ts';
import type { IntentList } from '../../domain/query-intent.ts';
import { RecError } from '../../errors.ts';
import { redisCall } from './call.ts';
import { connectRedis, isCluster, type RedisClient } from './connect.ts';
import type { FeedReader, SessionView } from '../../ports/feed-reader.ts';
import { RedisKeys } from './keys.ts';

export interface RedisFeedReaderOptions {
  readonly url: string;
  /** Seed nodes of a Redis Cluster (redis.clusterNodes); empty for the single server of `url`. */
  readonly clusterNodes?: string;
  readonly keyPrefix: string;
  /** Bound on one read, connection included. */
  readonly timeoutMs: number;
}

function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/**
 * The Feed API's read-only view of Redis. Its own connection, separate from the engine's writer, with
 * no retries and a command timeout: a slow or unreachable Redis turns into a fast 503, never a queue.
 */
export class RedisFeedReader implements FeedReader {
  private readonly redis: RedisClient;
  private readonly keys: RedisKeys;

  constructor(options: RedisFeedReaderOptions) {
    this.keys = new RedisKeys(options.keyPrefix);
    this.redis = connectRedis(options.url, options.clusterNodes ?? '', {
      lazyConnect: false,
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(options.timeoutMs, 1000),
      maxRetriesPerRequest: 0,
      enableOfflineQueue: true,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    });
    // Errors surface on the commands; this only keeps ioredis from logging reconnect noise.
    this.redis.on('error', () => undefined);
  }

  /**
   * The list under `feedId`, without the items that may not be shown any more (out of stock, excluded
   * by a rule) since it was written: they leave every list at once, not at the session's next event.
   */
  async readFeed(feedId: string): Promise<Feed | null> {
    const redis = this.redis;
    const [text, categories] = await redisCall(async () => {
      // One round trip on a single server; on a cluster the two keys live in different slots.
      if (isCluster(redis)) return Promise.all([redis.get(this.keys.feedById(feedId)), redis.smembers(this.keys.excludedCategories())]);
      const results = await redis.multi().get(this.keys.feedById(feedId)).smembers(this.keys.excludedCategories()).exec();
      return [results?.[0]?.[1] as string | null, (results?.[1]?.[1] as string[] | undefined) ?? []] as const;
    }, `read feed ${feedId}`);
    if (text === null) return null;
    const feed = parseJson<Feed | null>(text, null);
    if (feed === null || !Array.isArray(feed.items)) throw new RecError('REC_DATA', `feed ${feedId} is not valid feed JSON`);
    if (feed.items.length === 0) return feed;
    const excluded = await redisCall(() => this.redis.smismember(this.keys.excludedItems(), ...feed.items.map((item) => item.item_id)), `read exclusions of ${feedId}`);
    const hidden = new Set(categories);
    const items = feed.items.filter((item, i) => excluded[i] !== 1 && (item.category_id === undefined || !hidden.has(item.category_id)));
    return items.length === feed.items.length ? feed : { ...feed, items };
  }

  async readIntents(keys: readonly string[]): Promise<(IntentList | null)[]> {
    if (keys.length === 0) return [];
    const redis = this.redis;
    const names = keys.map((key) => this.keys.intent(key));
    const texts = await redisCall(() => (isCluster(redis) ? Promise.all(names.map((name) => redis.get(name))) : redis.mget(...names)), `read ${keys.length} intent lists`);
    return texts.map((text) => {
      const list = parseJson<IntentList | null>(text, null);
      return list !== null && Array.isArray(list.items) && Array.isArray(list.categories) ? list : null;
    });
  }

  async readSession(sessionId: string): Promise<SessionView | null> {
    const [userId, lastItems, categories, lastSeen] = await redisCall(
      () => this.redis.hmget(this.keys.session(sessionId), 'user_id', 'last_items', 'categories_1h', 'last_seen'),
      `read session ${sessionId}`,
    );
    if (lastSeen === null || lastSeen === undefined) return null;
    return {
      sessionId,
      userId: userId === null || userId === undefined || userId === '' ? null : userId,
      lastItems: parseJson<string[]>(lastItems, []),
      categories: parseJson<Record<string, number>>(categories, {}),
      lastSeen: Number(lastSeen),
    };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
