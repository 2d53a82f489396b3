import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rerank } from '../../../src/domain/rerank.ts';
import type { Feed } from '../../../src/domain/feed.ts';

const feed = (ids: string[]): Feed => ({
  items: ids.map((item_id, i) => ({ item_id, score: ids.length - i, source: 'covisit' })),
  generated_at: 0,
  event_ts: 0,
  version: 1,
  model_version: 'm',
  variant: 'default',
  recommendation_id: 'r',
});

describe('rerank', () => {
  it('puts feed items first in feed order, then session items newest first, then unknown ones as given', () => {
    const out = rerank(['z', 'b', 'old', 'y', 'a', 'new'], feed(['a', 'b', 'c']), ['old', 'mid', 'new']);
    expect(out.map((i) => i.item_id)).toEqual(['a', 'b', 'new', 'old', 'z', 'y']);
    expect(out.map((i) => i.basis)).toEqual(['feed', 'feed', 'session', 'session', 'unknown', 'unknown']);
    expect(out[0]?.score).toBe(3);
  });

  it('keeps the given order when the engine knows nothing', () => {
    expect(rerank(['c', 'a', 'b'], null, []).map((i) => i.item_id)).toEqual(['c', 'a', 'b']);
  });

  it('always returns a permutation of the input, unknown items in their relative order', () => {
    const id = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g');
    fc.assert(
      fc.property(fc.array(id, { maxLength: 20 }), fc.array(id, { maxLength: 5 }), fc.array(id, { maxLength: 5 }), (items, feedItems, session) => {
        const out = rerank(items, feed([...new Set(feedItems)]), session).map((i) => i.item_id);
        expect([...out].sort()).toEqual([...items].sort());
        const unknown = items.filter((i) => !feedItems.includes(i) && !session.includes(i));
        expect(out.slice(out.length - unknown.length)).toEqual(unknown);
      }),
    );
  });
});
