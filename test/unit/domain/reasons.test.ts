import { describe, expect, it } from 'vitest';
import { CoPurchases } from '../../../src/domain/co-purchases.ts';
import { Covisitation } from '../../../src/domain/covisitation.ts';
import type { FeedItem } from '../../../src/domain/feed.ts';
import { NewItems } from '../../../src/domain/new-items.ts';
import { QueryIntent } from '../../../src/domain/query-intent.ts';
import { explainItems } from '../../../src/domain/reasons.ts';
import type { RecommendRequest } from '../../../src/domain/recommender/recommender.ts';
import { SessionKnn } from '../../../src/domain/session-knn.ts';
import { Trending } from '../../../src/domain/trending.ts';

const T = Date.UTC(2026, 0, 1);

function sources() {
  const covisit = new Covisitation({ neighbours: 10, window: 5, halfLifeMs: 3_600_000, maxItems: 1000 });
  const trending = new Trending({ halfLifeMs: 3_600_000, maxItems: 1000, topK: 2 });
  const coPurchases = new CoPurchases({ maxItems: 1000, maxPartners: 10, maxSessions: 1000, supportCap: 20 });
  const knn = new SessionKnn({ k: 10, candidates: 100, maxSessions: 100, maxItemsPerSession: 50 });
  const intent = new QueryIntent({ maxKeys: 100, itemsPerKey: 50, halfLifeMs: 3_600_000 });
  return { covisit, trending, coPurchases, knn, intent };
}
const options = { covisitNeighbours: 10, trendingTopK: 2, boughtTogetherMinSessions: 3 };
const item = (id: string): FeedItem => ({ item_id: id, score: 1, source: 'covisit' });
const request = (sequence: string[], purchased: [string, number][] = []): RecommendRequest => ({ sequence, categories: new Map(), purchased: new Map(purchased), now: T });

describe('explainItems', () => {
  it('says "bought together" only from k distinct co-buying sessions, naming an item of the session', () => {
    const s = sources();
    for (let i = 0; i < 3; i += 1) {
      s.coPurchases.observe(`b${i}`, 'phone');
      s.coPurchases.observe(`b${i}`, 'case');
    }
    s.coPurchases.observe('b9', 'phone');
    s.coPurchases.observe('b9', 'strap');
    const [withCase, withStrap] = explainItems([item('case'), item('strap')], request(['phone']), s, options);
    expect(withCase?.reason).toEqual({ type: 'bought_together', evidence: { item_id: 'phone', sessions: 3 }, text: 'Often bought together with phone' });
    expect(withStrap?.reason).toBeUndefined();
  });

  it('says "because you viewed X" when the item is among the co-visitation neighbours of a recent item X', () => {
    const s = sources();
    s.covisit.observe('case', ['phone'], T);
    const [explained, unrelated] = explainItems([item('case'), item('sofa')], request(['shirt', 'phone']), s, options);
    expect(explained?.reason).toMatchObject({ type: 'viewed', evidence: { item_id: 'phone', via: 'covisit' }, text: 'Because you viewed phone' });
    expect(unrelated?.reason).toBeUndefined();
    // Not from an item older than the five the candidates come from.
    const far = explainItems([item('case')], request(['phone', 'a', 'b', 'c', 'd', 'e']), s, options);
    expect(far[0]?.reason).toBeUndefined();
  });

  it('says "viewed earlier" for a known shopper’s item from another device, or a co-visitation neighbour of one', () => {
    const s = sources();
    s.covisit.observe('case', ['phone'], T);
    const profile = { items: [{ item: 'phone', weight: 1 }], categories: new Map<string, number>() };
    const [again, neighbour, unrelated] = explainItems([item('phone'), item('case'), item('sofa')], { ...request([]), profile }, s, options);
    expect(again?.reason).toEqual({ type: 'viewed_earlier', evidence: { item_id: 'phone' }, text: 'You looked at this earlier' });
    expect(neighbour?.reason).toMatchObject({ type: 'viewed_earlier', evidence: { item_id: 'phone', via: 'covisit' }, text: 'Because you viewed phone earlier' });
    expect(unrelated?.reason).toBeUndefined();
    // This session's own items come first: then it is "viewed", not "viewed earlier".
    expect(explainItems([item('case')], { ...request(['phone']), profile }, s, options)[0]?.reason?.type).toBe('viewed');
  });

  it('says "because you viewed X" for a session-kNN item when a past session other than this one held both', () => {
    const s = sources();
    for (const item of ['phone', 'x', 'case']) s.knn.observe('past', item);
    for (const item of ['phone', 'shoes']) s.knn.observe('me', item);
    const knnItem = (id: string): FeedItem => ({ item_id: id, score: 1, source: 'session_knn' });
    const request = (sequence: string[]): RecommendRequest => ({ sequence, categories: new Map(), purchased: new Map(), now: T, self: 'me' });
    const [viaKnn, notHeld, ownSession] = explainItems([knnItem('case'), knnItem('sofa'), knnItem('shoes')], request(['phone']), s, options);
    expect(viaKnn?.reason).toEqual({ type: 'viewed', evidence: { item_id: 'phone', via: 'session_knn' }, text: 'Because you viewed phone' });
    expect(notHeld?.reason).toBeUndefined();
    // Only this session itself had phone and shoes together: that is no evidence.
    expect(ownSession?.reason).toBeUndefined();
  });

  it('says "trending in Y" only for the top-K of the item\'s category, with its rank, and attaches the category', () => {
    const s = sources();
    for (const [id, weight] of [['t1', 5], ['t2', 4], ['t3', 1]] as const) s.trending.observe(id, 'shoes', weight, T);
    s.trending.refresh();
    const out = explainItems([item('t1'), item('t3')], request([]), s, options);
    expect(out[0]?.reason).toEqual({ type: 'trending_category', evidence: { category_id: 'shoes', rank: 1 }, text: 'Trending in category shoes' });
    expect(out[0]?.category_id).toBe('shoes');
    expect(out[1]?.reason).toBeUndefined();
    expect(out[1]?.category_id).toBe('shoes');
  });

  it('says "popular after searching" for an item shoppers took after the active search, with its share', () => {
    const s = sources();
    const query = { text: 'smart watch', ts: T, steps: 0 };
    for (let i = 0; i < 99; i += 1) s.intent.observe(query, 'watch', null, 1, T);
    s.intent.observe(query, 'rare', null, 1, T);
    const searching = { ...request(['phone']), query };
    const [watch, rare, other] = explainItems([item('watch'), item('rare'), item('other')], searching, s, options);
    expect(watch?.reason).toEqual({ type: 'searched', evidence: { query: 'smart watch', share: 0.99 }, text: 'Popular after searching "smart watch"' });
    // 1 % of what shoppers took after the query is too little to claim.
    expect(rare?.reason?.type).not.toBe('searched');
    expect(other?.reason).toBeUndefined();
    // Without an active search, nothing is said about it.
    expect(explainItems([item('watch')], request(['phone']), s, options)[0]?.reason).toBeUndefined();
  });

  it('says "new" for an item in an exploration place while it is still new, with when it was first seen', () => {
    const s = { ...sources(), newItems: new NewItems({ maxItems: 100, windowMs: 3_600_000, maxInteractions: 2 }) };
    s.newItems.observe('fresh-shoe', 'shoes', T - 1000);
    s.trending.observe('fresh-shoe', 'shoes', 1, T - 1000);
    s.newItems.observe('old-shoe', 'shoes', T - 7_200_000);
    const explore = (id: string): FeedItem => ({ item_id: id, score: 0, source: 'new' });
    const [fresh, stale, ranked] = explainItems([explore('fresh-shoe'), explore('old-shoe'), item('fresh-shoe')], request(['phone']), s, options);
    expect(fresh?.reason).toEqual({ type: 'new', evidence: { first_seen: T - 1000, category_id: 'shoes' }, text: 'New in category shoes' });
    // Past the window it is not said; an item that ranked there on its own merits gets its usual reason.
    expect(stale?.reason?.type).not.toBe('new');
    expect(ranked?.reason?.type).not.toBe('new');
  });
});
