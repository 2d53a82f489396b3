import type { Feed } from './feed.ts';

/** Where an item's new position came from. */
export type RerankBasis = 'feed' | 'session' | 'unknown';

export interface RerankedItem {
  readonly item_id: string;
  readonly basis: RerankBasis;
  /** The item's score in the session's feed, when it is there. */
  readonly score?: number;
}

/**
 * Orders a caller's items (a search result page, a category listing) for one shopper, from what the
 * engine already wrote: first the items of the session's current feed, in the feed's (ranker) order;
 * then items the shopper touched in this session, newest first (the feed leaves the current item out,
 * and repeat views are common); then every item the engine knows nothing about, in the order given.
 * Stable and total: the output is a permutation of the input, duplicates included.
 */
export function rerank(items: readonly string[], feed: Feed | null, lastItemsNewestLast: readonly string[]): RerankedItem[] {
  const feedRank = new Map<string, { rank: number; score: number }>();
  feed?.items.forEach((item, rank) => {
    if (!feedRank.has(item.item_id)) feedRank.set(item.item_id, { rank, score: item.score });
  });
  const recency = new Map<string, number>();
  for (let i = lastItemsNewestLast.length - 1, age = 0; i >= 0; i -= 1, age += 1) {
    const item = lastItemsNewestLast[i];
    if (item !== undefined && !recency.has(item)) recency.set(item, age);
  }
  const fromFeed: { item: string; at: number; rank: number; score: number }[] = [];
  const fromSession: { item: string; at: number; age: number }[] = [];
  const unknown: string[] = [];
  items.forEach((item, at) => {
    const ranked = feedRank.get(item);
    if (ranked !== undefined) return void fromFeed.push({ item, at, ...ranked });
    const age = recency.get(item);
    if (age !== undefined) return void fromSession.push({ item, at, age });
    unknown.push(item);
  });
  fromFeed.sort((a, b) => a.rank - b.rank || a.at - b.at);
  fromSession.sort((a, b) => a.age - b.age || a.at - b.at);
  return [
    ...fromFeed.map(({ item, score }) => ({ item_id: item, basis: 'feed' as const, score })),
    ...fromSession.map(({ item }) => ({ item_id: item, basis: 'session' as const })),
    ...unknown.map((item) => ({ item_id: item, basis: 'unknown' as const })),
  ];
}
