import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisFeedReader } from '../../src/adapters/redis/feed-reader.ts';
import { RedisStateStore } from '../../src/adapters/redis/state-store.ts';
import type { BehaviourEvent } from '../../src/domain/event.ts';
import { stateStoreContract, feedWrite } from '../contract/state-store.suite.ts';
import { asRecord, produce } from '../helpers/produce.ts';
import { redisClusterDown, redisClusterNodes, redisClusterUp } from '../helpers/redis-cluster.ts';
import { services, uniqueName } from '../helpers/services.ts';
import { startTestEngine, stopTestEngine, type TestEngine } from '../helpers/test-engine.ts';
import { waitFor } from '../helpers/wait-for.ts';

const NODES = redisClusterNodes.join(',');
const prefix = `${uniqueName('rcluster')}:`;
const storeConfig = { url: services().redisUrl, clusterNodes: NODES, writeMaxKeys: 5000, keyPrefix: prefix, feedTtlSeconds: 60, featureTtlSeconds: 60, intentTtlSeconds: 3600 };

beforeAll(async () => {
  await redisClusterUp();
}, 120_000);
afterAll(async () => {
  await redisClusterDown();
}, 120_000);

let n = 0;
stateStoreContract('RedisStateStore on a Redis Cluster', async () => new RedisStateStore(storeConfig), () => `sess-${(n += 1)}`);

describe('Redis Cluster by configuration alone (redis.clusterNodes)', () => {
  let running: Partial<TestEngine> = {};
  afterAll(async () => {
    await stopTestEngine(running);
  });

  it('spreads one write over the nodes, reads it back through the Feed API reader, excludes and forgets across slots', async () => {
    const store = new RedisStateStore(storeConfig);
    const sessions = Array.from({ length: 40 }, (_, i) => `spread-${i}`);
    await store.write({ features: [], feeds: sessions.map((id) => feedWrite({ kind: 'session', id }, ['a', 'b', 'c'])) });
    const cluster = new Cluster(redisClusterNodes.map((node) => ({ host: node.split(':')[0] ?? '', port: Number(node.split(':')[1]) })));
    await new Promise((resolve) => cluster.once('ready', resolve));
    try {
      const perNode = await Promise.all(cluster.nodes('master').map((node) => node.keys(`${prefix}feed:s:spread-*`)));
      expect(perNode.filter((keys) => keys.length > 0).length).toBe(3);
      expect(await store.countFeeds()).toBeGreaterThanOrEqual(sessions.length);
    } finally {
      await cluster.quit();
    }
    const reader = new RedisFeedReader({ url: storeConfig.url, clusterNodes: NODES, keyPrefix: prefix, timeoutMs: 2000 });
    try {
      expect((await reader.readFeed('s:spread-7'))?.items.map((item) => item.item_id)).toEqual(['a', 'b', 'c']);
      await store.writeExclusions(['b'], []);
      expect((await reader.readFeed('s:spread-7'))?.items.map((item) => item.item_id)).toEqual(['a', 'c']);
      expect(await store.forget('nobody', ['spread-7', 'spread-8'])).toBe(2);
      expect(await reader.readFeed('s:spread-7')).toBeNull();
    } finally {
      await reader.close();
      await store.close();
    }
  });

  it('runs the engine against the cluster: every session gets its features and feed', async () => {
    running = await startTestEngine('rclusterengine', { STREAMREC_REDIS_CLUSTER_NODES: NODES });
    const { config } = running as TestEngine;
    const t0 = Date.now();
    const events: BehaviourEvent[] = Array.from({ length: 30 }, (_, i) => ({ event_id: `rc-${i}`, type: 'view' as const, ts: t0 + i, session_id: `rc-s${i % 10}`, item_id: `item-${i % 7}`, category_id: 'c1' }));
    await produce(config, events.map(asRecord));
    const reader = new RedisFeedReader({ url: config.redis.url, clusterNodes: NODES, keyPrefix: config.redis.keyPrefix, timeoutMs: 2000 });
    try {
      for (let s = 0; s < 10; s += 1) {
        const session = await waitFor(() => reader.readSession(`rc-s${s}`), (view) => view !== null && view.lastItems.length === 3, { what: `session rc-s${s} in the cluster` });
        expect(session?.lastSeen).toBe(t0 + 20 + s);
        expect(await reader.readFeed(`s:rc-s${s}`)).not.toBeNull();
      }
    } finally {
      await reader.close();
    }
  });
});
