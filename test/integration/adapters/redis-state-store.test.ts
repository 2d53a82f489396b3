import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStateStore } from '../../../src/adapters/redis/state-store.ts';
import { stateStoreContract, feedWrite } from '../../contract/state-store.suite.ts';
import { services, uniqueName } from '../../helpers/services.ts';

const prefix = `${uniqueName('redis')}:`;
const config = { url: services().redisUrl, clusterNodes: '', writeMaxKeys: 5000, keyPrefix: prefix, feedTtlSeconds: 60, featureTtlSeconds: 30, intentTtlSeconds: 3600 };
let n = 0;
stateStoreContract('RedisStateStore', async () => new RedisStateStore(config), () => `sess-${(n += 1)}`);

describe('RedisStateStore on a real Redis', () => {
  const redis = new Redis(config.url);
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('sets TTLs on feeds and session hashes', async () => {
    const store = new RedisStateStore(config);
    await store.write({ features: [], feeds: [feedWrite({ kind: 'session', id: 'ttl' }, ['a'])] });
    const ttl = await redis.ttl(`${prefix}feed:s:ttl`);
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
    await store.close();
  });

  it('never lets a reader see half of a batch: both feeds of a batch always carry the same version', async () => {
    const store = new RedisStateStore(config);
    let writing = true;
    const writer = (async () => {
      for (let v = 1; v <= 300; v += 1) {
        await store.write({ features: [], feeds: [feedWrite({ kind: 'session', id: 'pair-a' }, ['x'], v), feedWrite({ kind: 'session', id: 'pair-b' }, ['y'], v)] });
      }
      writing = false;
    })();
    const seen = new Set<string>();
    let reads = 0;
    while (writing) {
      const [a, b] = await redis.mget(`${prefix}feed:s:pair-a`, `${prefix}feed:s:pair-b`);
      if (a !== null && a !== undefined && b !== null && b !== undefined) {
        const versions = [JSON.parse(a).event_ts as number, JSON.parse(b).event_ts as number];
        expect(versions[0]).toBe(versions[1]);
        seen.add(String(versions[0]));
        reads += 1;
      }
    }
    await writer;
    expect(reads).toBeGreaterThan(10);
    expect(seen.size).toBeGreaterThan(2);
    await store.close();
  });

  it('turns an unreachable Redis into a retriable REC_REDIS error', async () => {
    const store = new RedisStateStore({ ...config, url: 'redis://127.0.0.1:1' });
    await expect(store.write({ features: [], feeds: [feedWrite({ kind: 'session', id: 'x' }, ['a'])] })).rejects.toMatchObject({ code: 'REC_REDIS', retriable: true });
    await store.close();
  });
});
