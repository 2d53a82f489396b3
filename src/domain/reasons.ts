import type { CoPurchases } from './co-purchases.ts';
import type { QueryIntent } from './query-intent.ts';
import type { Covisitation } from './covisitation.ts';
import type { FeedItem, Reason } from './feed.ts';
import type { NewItems } from './new-items.ts';
import type { RecommendRequest } from './recommender/recommender.ts';
import type { SessionKnn } from './session-knn.ts';
import type { Trending } from './trending.ts';

export interface ReasonSources {
  readonly covisit: Covisitation;
  readonly knn: SessionKnn;
  readonly trending: Trending;
  readonly coPurchases: CoPurchases;
  readonly intent: QueryIntent;
  /** Absent: exploration items get no `new` reason. */
  readonly newItems?: NewItems;
}

export interface ReasonOptions {
  /** Neighbours per item the recommender takes from co-visitation (candidates.covisitNeighbours). */
  readonly covisitNeighbours: number;
  /** Length of the trending lists (candidates.trendingTopK). */
  readonly trendingTopK: number;
  /** Distinct co-buying sessions needed before "bought together" is said (reasons.boughtTogetherMinSessions). */
  readonly boughtTogetherMinSessions: number;
}

/** Recent session items whose co-visitation neighbours enter the candidate pool (as in the recommender). */
const RECENT_FOR_COVISIT = 5;
/** For session-kNN items: the newest items tried as X, and the past sessions of the item looked at. */
const RECENT_FOR_KNN = 2;
const KNN_SESSIONS_LOOKED_AT = 20;
/** Items of the active search's prediction looked at, and the share of it an item needs to be named. */
const SEARCH_ITEMS = 50;
const SEARCH_MIN_SHARE = 0.02;

/** Rank maps of the trending lists, rebuilt only when the lists change (many lists share one state). */
interface RankMaps {
  readonly generation: number;
  readonly topK: number;
  global: ReadonlyMap<string, number> | null;
  readonly categories: Map<string, ReadonlyMap<string, number>>;
}
const rankMaps = new WeakMap<Trending, RankMaps>();

function ranksOf(trending: Trending, topK: number): RankMaps {
  let maps = rankMaps.get(trending);
  if (maps === undefined || maps.generation !== trending.generation || maps.topK !== topK) {
    maps = { generation: trending.generation, topK, global: null, categories: new Map() };
    rankMaps.set(trending, maps);
  }
  return maps;
}

const toRanks = (entries: readonly { readonly item: string }[]): ReadonlyMap<string, number> => new Map(entries.map((entry, i) => [entry.item, i + 1]));

/**
 * Explains each item of a list as it is built, from the same state the list came from, so every claim
 * held at generation time. In order of preference:
 *
 * - `bought_together` — Z is an item of this session and at least k distinct sessions bought both Z
 *   and the item (evidence: Z, sessions);
 * - `searched` — the session's active search was followed, across shoppers, by this item for at least
 *   2 % of what they took after it (evidence: the normalised query, share);
 * - `viewed` — X is one of the session's 5 most recent items and the item is among X's co-visitation
 *   neighbours, the way the candidate reached the pool (evidence: X, via covisit, score); or, for an
 *   item session-kNN placed, X is one of the 2 newest items and a past session the engine holds has
 *   both X and the item (evidence: X, via session_knn);
 * - `viewed_earlier` — for a known shopper, X is one of the 5 newest items of their other sessions (on
 *   any device) and the item is X itself or among X's co-visitation neighbours (evidence: X, via covisit,
 *   score);
 * - `trending_category` — the item is in the trending top-K of its category (evidence: category, rank);
 * - `popular` — the item is in the global trending top-K (evidence: rank).
 *
 * An item placed in an exploration slot (source `new`) is said to be `new` instead, when it still is
 * (evidence: when it was first seen, and its category where known).
 *
 * An item a business rule placed (pin, promotion) keeps the rule's `promoted` reason.
 *
 * An item none of these holds for gets no reason (the Feed API then says only "popular with shoppers").
 * Each item also gets its category, for filtering at read time.
 */
export function explainItems(items: readonly FeedItem[], request: RecommendRequest, sources: ReasonSources, options: ReasonOptions): FeedItem[] {
  const sessionItems: string[] = [];
  for (let i = request.sequence.length - 1; i >= 0; i -= 1) {
    const item = request.sequence[i];
    if (item !== undefined && !sessionItems.includes(item)) sessionItems.push(item);
  }
  for (const item of request.purchased.keys()) if (!sessionItems.includes(item)) sessionItems.push(item);
  const recent = sessionItems.filter((item) => request.sequence.includes(item)).slice(0, RECENT_FOR_COVISIT);
  // Looked up on first use: most items are explained by the newest item, so older rows are rarely read.
  const tops: (ReadonlyMap<string, number> | undefined)[] = [];
  const neighboursOf = (rank: number, x: string): ReadonlyMap<string, number> => (tops[rank] ??= sources.covisit.topNeighbours(x, options.covisitNeighbours));
  // A known shopper's items from their other sessions (devices), newest first, as the recommender used them.
  const earlier = (request.profile?.items ?? []).slice(0, RECENT_FOR_COVISIT).map((entry) => entry.item);
  const earlierTops: (ReadonlyMap<string, number> | undefined)[] = [];
  const earlierNeighboursOf = (rank: number, x: string): ReadonlyMap<string, number> => (earlierTops[rank] ??= sources.covisit.topNeighbours(x, options.covisitNeighbours));
  const maps = ranksOf(sources.trending, options.trendingTopK);
  const rankIn = (category: string, item: string): number | undefined => {
    let ranks = maps.categories.get(category);
    if (ranks === undefined) {
      ranks = toRanks(sources.trending.topInCategory(category, options.trendingTopK));
      maps.categories.set(category, ranks);
    }
    return ranks.get(item);
  };

  // Only session items with a strong enough partner are looked at per list item (usually none).
  const boughtWith = sessionItems.map((z) => ({ z, partners: sources.coPurchases.partners(z, options.boughtTogetherMinSessions) })).filter((entry) => entry.partners.size > 0);

  const query = request.query;
  const afterSearch = query === undefined ? null : new Map(sources.intent.predict(query.text, SEARCH_ITEMS).items.map((entry) => [entry.item, entry.score]));

  const reasonFor = (item: string, category: string | undefined, source: FeedItem['source']): Reason | null => {
    const firstSeen = source === 'new' && sources.newItems?.isNew(item, request.now) === true ? sources.newItems.firstSeen(item) : undefined;
    if (firstSeen !== undefined) {
      return { type: 'new', evidence: { first_seen: firstSeen, ...(category === undefined ? {} : { category_id: category }) }, text: category === undefined ? 'New arrival' : `New in category ${category}` };
    }
    let partner: { z: string; sessions: number } | null = null;
    for (const { z, partners } of boughtWith) {
      if (z === item) continue;
      const sessions = partners.get(item) ?? 0;
      if (sessions >= options.boughtTogetherMinSessions && (partner === null || sessions > partner.sessions)) partner = { z, sessions };
    }
    if (partner !== null) return { type: 'bought_together', evidence: { item_id: partner.z, sessions: partner.sessions }, text: `Often bought together with ${partner.z}` };
    const share = afterSearch?.get(item) ?? 0;
    if (query !== undefined && share >= SEARCH_MIN_SHARE) {
      return { type: 'searched', evidence: { query: query.text, share: Math.round(share * 1000) / 1000 }, text: `Popular after searching "${query.text}"` };
    }
    for (let rank = 0; rank < recent.length; rank += 1) {
      const x = recent[rank] ?? '';
      const score = x === item ? undefined : neighboursOf(rank, x).get(item);
      if (score !== undefined) return { type: 'viewed', evidence: { item_id: x, via: 'covisit', score: Math.round(score * 1e6) / 1e6 }, text: `Because you viewed ${x}` };
    }
    if (source === 'session_knn') {
      for (let rank = 0; rank < Math.min(RECENT_FOR_KNN, recent.length); rank += 1) {
        const x = recent[rank] ?? '';
        if (x !== item && sources.knn.heldTogether(x, item, request.self, KNN_SESSIONS_LOOKED_AT)) {
          return { type: 'viewed', evidence: { item_id: x, via: 'session_knn' }, text: `Because you viewed ${x}` };
        }
      }
    }
    for (let rank = 0; rank < earlier.length; rank += 1) {
      const x = earlier[rank] ?? '';
      if (x === item) return { type: 'viewed_earlier', evidence: { item_id: x }, text: 'You looked at this earlier' };
      const score = earlierNeighboursOf(rank, x).get(item);
      if (score !== undefined) return { type: 'viewed_earlier', evidence: { item_id: x, via: 'covisit', score: Math.round(score * 1e6) / 1e6 }, text: `Because you viewed ${x} earlier` };
    }
    if (category !== undefined) {
      const rank = rankIn(category, item);
      if (rank !== undefined) return { type: 'trending_category', evidence: { category_id: category, rank }, text: `Trending in category ${category}` };
    }
    maps.global ??= toRanks(sources.trending.top(options.trendingTopK));
    const rank = maps.global.get(item);
    if (rank !== undefined) return { type: 'popular', evidence: { rank }, text: 'Popular right now' };
    return null;
  };

  return items.map((entry) => {
    const category = sources.trending.category(entry.item_id);
    // A rule's place says why by itself (promotion label, coupon).
    const reason = entry.reason?.type === 'promoted' ? entry.reason : reasonFor(entry.item_id, category, entry.source);
    // Plain property writes: object spreads cost more than the explanation itself on this hot path.
    const out: { -readonly [K in keyof FeedItem]: FeedItem[K] } = { item_id: entry.item_id, score: entry.score, source: entry.source };
    if (category !== undefined) out.category_id = category;
    if (reason !== null) out.reason = reason;
    return out;
  });
}
