import type { Feed } from './feed.ts';
import type { QueryPrediction } from './query-intent.ts';

/** Where an item's new position came from. */
export type RerankBasis = 'query' | 'feed' | 'session' | 'unknown';

export interface RerankedItem {
  readonly item_id: string;
  readonly basis: RerankBasis;
  /** The item's score in the session's feed, when it is there. */
  readonly score?: number;
  /** The item's share of what shoppers took after the query, when it has one. */
  readonly query_share?: number;
}

/**
 * Orders a caller's items (a search result page, a category listing) for one shopper, from what the
 * engine already wrote: first the items shoppers took after this query (`intent`, most taken first);
 * then the items of the session's current feed, in the feed's (ranker) order; then items the shopper
 * touched in this session, newest first (the feed leaves the current item out, and repeat views are
 * common); then every item the engine knows nothing about, in the order given.
 * Stable and total: the output is a permutation of the input, duplicates included.
 */
export function rerank(items: readonly string[], feed: Feed | null, lastItemsNewestLast: readonly string[], intent: QueryPrediction | null = null): RerankedItem[] {
  const share = new Map<string, number>();
  for (const entry of intent?.items ?? []) if (entry.score > 0) share.set(entry.item, entry.score);
  const feedRank = new Map<string, { rank: number; score: number }>();
  feed?.items.forEach((item, rank) => {
    if (!feedRank.has(item.item_id)) feedRank.set(item.item_id, { rank, score: item.score });
  });
  const recency = new Map<string, number>();
  for (let i = lastItemsNewestLast.length - 1, age = 0; i >= 0; i -= 1, age += 1) {
    const item = lastItemsNewestLast[i];
    if (item !== undefined && !recency.has(item)) recency.set(item, age);
  }
  const fromQuery: { item: string; at: number; share: number; score: number | undefined }[] = [];
  const fromFeed: { item: string; at: number; rank: number; score: number }[] = [];
  const fromSession: { item: string; at: number; age: number }[] = [];
  const unknown: string[] = [];
  items.forEach((item, at) => {
    const ranked = feedRank.get(item);
    const taken = share.get(item);
    if (taken !== undefined) return void fromQuery.push({ item, at, share: taken, score: ranked?.score });
    if (ranked !== undefined) return void fromFeed.push({ item, at, ...ranked });
    const age = recency.get(item);
    if (age !== undefined) return void fromSession.push({ item, at, age });
    unknown.push(item);
  });
  fromQuery.sort((a, b) => b.share - a.share || a.at - b.at);
  fromFeed.sort((a, b) => a.rank - b.rank || a.at - b.at);
  fromSession.sort((a, b) => a.age - b.age || a.at - b.at);
  const round = (x: number): number => Math.round(x * 1e4) / 1e4;
  return [
    ...fromQuery.map(({ item, share: s, score }) => ({ item_id: item, basis: 'query' as const, query_share: round(s), ...(score === undefined ? {} : { score }) })),
    ...fromFeed.map(({ item, score }) => ({ item_id: item, basis: 'feed' as const, score })),
    ...fromSession.map(({ item }) => ({ item_id: item, basis: 'session' as const })),
    ...unknown.map((item) => ({ item_id: item, basis: 'unknown' as const })),
  ];
}
