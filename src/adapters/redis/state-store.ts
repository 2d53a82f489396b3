import { randomBytes } from 'node:crypto';
import type { ChainableCommander } from 'ioredis';
import type { RedisConfig } from '../../config/config.ts';
import type { Feed } from '../../domain/feed.ts';
import type { IntentList } from '../../domain/query-intent.ts';
import { featureHash } from '../../domain/session-features.ts';
import { RecError } from '../../errors.ts';
import { redisCall } from './call.ts';
import type { StateStore, StateWrites } from '../../ports/state-store.ts';
import { connectRedis, isCluster, type RedisClient } from './connect.ts';
import { RedisKeys } from './keys.ts';

/**
 * Redis-backed serving store. A whole micro-batch goes in one MULTI/EXEC: one round trip, and a reader
 * sees either all of a batch's lists or none — never a missing or half-written list. Writes are
 * idempotent (SET and HSET of full values), so a redelivered batch leaves the same state.
 */
export class RedisStateStore implements StateStore {
  readonly keys: RedisKeys;
  private readonly redis: RedisClient;

  constructor(private readonly config: RedisConfig) {
    this.keys = new RedisKeys(config.keyPrefix);
    this.redis = connectRedis(config.url, config.clusterNodes, {
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
    // Every command touches one key; a single server takes the batch as one transaction, a cluster one per key.
    const commands: { key: string; add: (multi: ChainableCommander) => void }[] = [];
    for (const features of writes.features) {
      const key = this.keys.session(features.session_id);
      commands.push({ key, add: (multi) => multi.hset(key, featureHash(features)).expire(key, this.config.featureTtlSeconds) });
    }
    for (const write of writes.feeds) {
      const key = this.keys.feed(write.owner);
      commands.push({ key, add: (multi) => multi.set(key, JSON.stringify(write.feed), 'EX', this.config.feedTtlSeconds) });
    }
    for (const intent of intents) {
      const key = this.keys.intent(intent.key);
      commands.push({ key, add: (multi) => multi.set(key, JSON.stringify(intent.list), 'EX', this.config.intentTtlSeconds) });
    }
    const groups = isCluster(this.redis) ? commands.map((command) => [command]) : [commands];
    try {
      await Promise.all(
        groups.map(async (group) => {
          const multi = this.redis.multi();
          for (const command of group) command.add(multi);
          const results = await multi.exec();
          const failed = results?.find(([error]) => error !== null);
          if (results === null || failed !== undefined) throw failed?.[0] ?? new Error('transaction aborted');
        }),
      );
    } catch (cause) {
      throw new RecError('REC_REDIS', `Redis write of ${writes.feeds.length} feeds and ${writes.features.length} sessions failed`, {
        retriable: true,
        cause,
      });
    }
  }

  /** Replaces the sets of items and categories no list may show (the Feed API filters every read with them). */
  async writeExclusions(items: readonly string[], categories: readonly string[]): Promise<void> {
    const sets: [string, readonly string[]][] = [
      [this.keys.excludedItems(), items],
      [this.keys.excludedCategories(), categories],
    ];
    const replace = (multi: ChainableCommander, key: string, members: readonly string[]): ChainableCommander => (members.length > 0 ? multi.del(key).sadd(key, ...members) : multi.del(key));
    const what = `write of ${items.length} excluded items and ${categories.length} categories`;
    if (isCluster(this.redis)) {
      const cluster = this.redis;
      await redisCall(() => Promise.all(sets.map(([key, members]) => replace(cluster.multi(), key, members).exec())), what);
      return;
    }
    let multi = this.redis.multi();
    for (const [key, members] of sets) multi = replace(multi, key, members);
    await redisCall(() => multi.exec(), what);
  }

  /** Deletes a user's feed and the feeds and feature hashes of their sessions; resolves with the keys deleted. */
  async forget(userId: string, sessionIds: readonly string[]): Promise<number> {
    const keys = [this.keys.feed({ kind: 'user', id: userId }), ...sessionIds.flatMap((id) => [this.keys.feed({ kind: 'session', id }), this.keys.session(id)])];
    const redis = this.redis;
    const deleted = isCluster(redis) ? Promise.all(keys.map((key) => redis.del(key))).then((counts) => counts.reduce((sum, n) => sum + n, 0)) : redis.del(...keys);
    return redisCall(() => deleted, `delete of ${keys.length} keys`);
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

  /**
   * Runs `fn` while holding a lock every process of the deployment respects (SET NX with an expiry, so
   * a process killed while holding it blocks the others for at most `ttlMs`); waits up to twice that.
   */
  async withLock<T>(name: string, ttlMs: number, fn: () => Promise<T>): Promise<T> {
    const key = `${this.keys.prefix}lock:${name}`;
    const token = randomBytes(16).toString('hex');
    const deadline = Date.now() + 2 * ttlMs;
    while ((await redisCall(() => this.redis.set(key, token, 'PX', ttlMs, 'NX'), `lock ${key}`)) !== 'OK') {
      if (Date.now() > deadline) throw new RecError('REC_REDIS', `${key} is still held by another process after ${2 * ttlMs} ms`, { retriable: true });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    try {
      return await fn();
    } finally {
      // Only our own lock is released: after an expiry another process may hold it.
      await redisCall(() => this.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, key, token), `unlock ${key}`);
    }
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

  /** Counts feed keys (SCAN, never KEYS; on a cluster, node by node): for the demo and operators, not the hot path. */
  async countFeeds(): Promise<number> {
    let count = 0;
    for (const node of isCluster(this.redis) ? this.redis.nodes('master') : [this.redis]) {
      let cursor = '0';
      do {
        const [next, keys] = await redisCall(() => node.scan(cursor, 'MATCH', this.keys.feedPattern(), 'COUNT', 1000), 'scan feeds');
        cursor = next;
        count += keys.length;
      } while (cursor !== '0');
    }
    return count;
  }

  async ping(): Promise<void> {
    await redisCall(() => this.redis.ping(), 'ping');
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
