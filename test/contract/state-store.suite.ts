import { describe, expect, it } from 'vitest';
import type { FeedWrite } from '../../src/domain/feed.ts';
import type { SessionFeatures } from '../../src/domain/session-features.ts';
import type { StateStore } from '../../src/ports/state-store.ts';

export function features(sessionId: string, lastItems: string[]): SessionFeatures {
  return {
    session_id: sessionId,
    user_id: null,
    partition: 0,
    first_seen: 1,
    last_seen: 2,
    event_count: lastItems.length,
    last_items: lastItems,
    counts_5m: { view: lastItems.length },
    counts_1h: { view: lastItems.length },
    counts_24h: { view: lastItems.length },
    categories_5m: { c1: 1 },
    categories_1h: { c1: 1 },
    categories_24h: { c1: 1 },
  };
}

export function feedWrite(owner: FeedWrite['owner'], items: string[], eventTs = 1000): FeedWrite {
  return {
    owner,
    ingestedAt: eventTs,
    feed: {
      items: items.map((item, i) => ({ item_id: item, score: 1 / (i + 1), source: 'covisit' as const })),
      generated_at: eventTs + 5,
      event_ts: eventTs,
      version: 1,
      model_version: 'test',
      variant: 'default',
      recommendation_id: `r-${owner.id}-${eventTs}`,
    },
  };
}

/** The behaviour every StateStore adapter must share; run against the in-memory and the Redis adapter. */
export function stateStoreContract(name: string, open: () => Promise<StateStore>, id: () => string): void {
  describe(`${name} honours the StateStore contract`, () => {
    it('returns what was written, for sessions and users', async () => {
      const store = await open();
      const s = id();
      await store.write({ features: [features(s, ['a', 'b'])], feeds: [feedWrite({ kind: 'session', id: s }, ['x', 'y']), feedWrite({ kind: 'user', id: s }, ['z'])] });
      expect((await store.readFeed(`s:${s}`))?.items.map((i) => i.item_id)).toEqual(['x', 'y']);
      expect((await store.readFeed(`u:${s}`))?.items.map((i) => i.item_id)).toEqual(['z']);
      const hash = await store.readFeatures(s);
      expect(JSON.parse(hash?.['last_items'] ?? 'null')).toEqual(['a', 'b']);
      expect(hash?.['event_count']).toBe('2');
      await store.close();
    });

    it('stores search intent lists by key, replacing them whole', async () => {
      const store = await open();
      const q = `q:watch ${id()}`;
      await store.write({ features: [], feeds: [], intents: [{ key: q, list: { items: [['w1', 0.6]], categories: [['watches', 1]] } }] });
      await store.write({ features: [], feeds: [], intents: [{ key: q, list: { items: [['w2', 0.5], ['w1', 0.4]], categories: [] } }] });
      expect(await store.readIntent(q)).toEqual({ items: [['w2', 0.5], ['w1', 0.4]], categories: [] });
      expect(await store.readIntent(`t:absent-${id()}`)).toBeNull();
      await store.close();
    });

    it('replaces a feed as a whole and reports absent keys as null', async () => {
      const store = await open();
      const s = id();
      await store.write({ features: [], feeds: [feedWrite({ kind: 'session', id: s }, ['a', 'b', 'c'], 1)] });
      await store.write({ features: [], feeds: [feedWrite({ kind: 'session', id: s }, ['d'], 2)] });
      const feed = await store.readFeed(`s:${s}`);
      expect(feed?.items.map((i) => i.item_id)).toEqual(['d']);
      expect(feed?.event_ts).toBe(2);
      expect(await store.readFeed(`s:${id()}`)).toBeNull();
      expect(await store.readFeatures(id())).toBeNull();
      await store.close();
    });

    it('is idempotent: the same writes twice leave the same state', async () => {
      const store = await open();
      const s = id();
      const writes = { features: [features(s, ['a'])], feeds: [feedWrite({ kind: 'session', id: s }, ['b'])] };
      await store.write(writes);
      const first = [await store.readFeed(`s:${s}`), await store.readFeatures(s)];
      await store.write(writes);
      expect([await store.readFeed(`s:${s}`), await store.readFeatures(s)]).toEqual(first);
      await store.close();
    });

    it('accepts an empty write', async () => {
      const store = await open();
      await expect(store.write({ features: [], feeds: [] })).resolves.toBeUndefined();
      await store.close();
    });
  });
}
