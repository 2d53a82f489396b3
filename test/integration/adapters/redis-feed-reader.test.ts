import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisFeedReader } from '../../../src/adapters/redis/feed-reader.ts';
import { RedisStateStore } from '../../../src/adapters/redis/state-store.ts';
import type { SessionFeatures } from '../../../src/domain/session-features.ts';
import { RecError } from '../../../src/errors.ts';
import { feedWrite } from '../../contract/state-store.suite.ts';
import { services, uniqueName } from '../../helpers/services.ts';

const prefix = `${uniqueName('feedreader')}:`;
const url = services().redisUrl;

const features = (id: string): SessionFeatures => ({
  session_id: id,
  user_id: 'u-1',
  partition: 0,
  first_seen: 1,
  last_seen: 2,
  event_count: 2,
  last_items: ['a', 'b'],
  counts_5m: {},
  counts_1h: {},
  counts_24h: {},
  categories_5m: {},
  categories_1h: { c1: 2 },
  categories_24h: {},
});

describe('RedisFeedReader on a real Redis (what the engine writes, as the API reads it)', () => {
  const redis = new Redis(url);
  const reader = new RedisFeedReader({ url, keyPrefix: prefix, timeoutMs: 500 });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await reader.close();
  });

  it('reads the feeds and session state the engine adapter wrote, and null where there are none', async () => {
    const store = new RedisStateStore({ url, clusterNodes: '', writeMaxKeys: 5000, keyPrefix: prefix, feedTtlSeconds: 60, featureTtlSeconds: 60, intentTtlSeconds: 3600 });
    await store.write({ features: [features('s1')], feeds: [feedWrite({ kind: 'session', id: 's1' }, ['x', 'y']), feedWrite({ kind: 'user', id: 'u-1' }, ['z'])] });
    await store.close();
    expect((await reader.readFeed('s:s1'))?.items.map((i) => i.item_id)).toEqual(['x', 'y']);
    expect((await reader.readFeed('u:u-1'))?.items.map((i) => i.item_id)).toEqual(['z']);
    expect(await reader.readFeed('s:none')).toBeNull();
    expect(await reader.readSession('s1')).toEqual({ sessionId: 's1', userId: 'u-1', lastItems: ['a', 'b'], categories: { c1: 2 }, lastSeen: 2 });
    expect(await reader.readSession('none')).toBeNull();
  });

  it('turns a value that is not feed JSON into REC_DATA instead of serving it', async () => {
    await redis.set(`${prefix}feed:s:broken`, '{"not":"a feed"');
    await expect(reader.readFeed('s:broken')).rejects.toMatchObject({ code: 'REC_DATA' });
    await redis.set(`${prefix}feed:s:other`, '{"items":"nope"}');
    await expect(reader.readFeed('s:other')).rejects.toBeInstanceOf(RecError);
  });
});
