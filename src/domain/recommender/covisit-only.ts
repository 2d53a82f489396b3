import type { Covisitation } from '../covisitation.ts';
import type { FeedItem } from '../feed.ts';
import type { Trending } from '../trending.ts';
import type { RecommendRequest } from './recommender.ts';

export interface CovisitOnlyOptions {
  readonly covisitNeighbours: number;
  readonly purchasedHideMs: number;
  readonly excludeCurrentItem: boolean;
}

/** Recent items that vote, and how much each step back counts (as in the blend's co-visitation features). */
const RECENT = 5;
const RECENCY = 0.6;

/**
 * The baseline arm of an A/B test: item-to-item co-visitation alone. Each of the session's 5 most
 * recent items votes for its neighbours (scores normalised per item, older items count 0.6× per step);
 * the list is padded with global trending items when co-visitation knows too little. Same exclusions as
 * the full recommender (current item, recent purchases).
 */
export function covisitOnly(request: RecommendRequest, covisit: Covisitation, trending: Trending, n: number, options: CovisitOnlyOptions): FeedItem[] {
  const current = request.sequence.at(-1);
  const excluded = (item: string): boolean => {
    if (options.excludeCurrentItem && item === current) return true;
    const boughtAt = request.purchased.get(item);
    return boughtAt !== undefined && request.now - boughtAt < options.purchasedHideMs;
  };
  const recent: string[] = [];
  for (let i = request.sequence.length - 1; i >= 0 && recent.length < RECENT; i -= 1) {
    const item = request.sequence[i];
    if (item !== undefined && !recent.includes(item)) recent.push(item);
  }
  const scores = new Map<string, number>();
  recent.forEach((item, rank) => {
    const neighbours = covisit.neighbours(item, options.covisitNeighbours);
    const max = neighbours[0]?.score ?? 0;
    if (max <= 0) return;
    for (const neighbour of neighbours) scores.set(neighbour.item, (scores.get(neighbour.item) ?? 0) + RECENCY ** rank * (neighbour.score / max));
  });
  const out: FeedItem[] = [...scores.entries()]
    .filter(([item]) => !excluded(item))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([item, score]) => ({ item_id: item, score: Math.round(score * 1e6) / 1e6, source: 'covisit' }));
  if (out.length < n) {
    const taken = new Set(out.map((item) => item.item_id));
    for (const entry of trending.top(n * 2)) {
      if (out.length >= n) break;
      if (taken.has(entry.item) || excluded(entry.item)) continue;
      out.push({ item_id: entry.item, score: 0, source: 'trending' });
    }
  }
  return out;
}
