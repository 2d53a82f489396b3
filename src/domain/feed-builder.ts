import type { Covisitation } from './covisitation.ts';
import type { CandidateSource, FeedItem } from './feed.ts';
import type { Trending } from './trending.ts';

export interface FeedContext {
  /** Distinct recent items, newest first. */
  readonly recent: readonly { readonly item: string; readonly ts: number }[];
  /** Category → affinity weight (any scale). */
  readonly categories: ReadonlyMap<string, number>;
  /** Item → time of purchase. */
  readonly purchased: ReadonlyMap<string, number>;
  /** Event time the list is built for. */
  readonly now: number;
}

export interface FeedBuilderOptions {
  readonly size: number;
  readonly purchasedHideMs: number;
  readonly neighbours: number;
}

/** How much each source counts; co-visitation of what the shopper just did leads. */
const SOURCE_WEIGHT: Record<CandidateSource, number> = { covisit: 1, trending_category: 0.5, trending: 0.1 };
/** Each older session item counts this much less than the next newer one. */
const RECENCY = 0.6;
/** Category affinity forgets faster than items, so a move to a new category shows in the next list. */
const CATEGORY_RECENCY = 0.4;
const ITEMS_FOR_COVISIT = 5;
const TOP_CATEGORIES = 3;

/**
 * Merges co-visitation neighbours of the recent items, trending items of the shopper's categories and
 * global trending into one ranked list. Each source's scores are normalised to [0, 1] before weighting,
 * so the weights alone decide the blend. The current item and recently purchased items are left out.
 */
export function buildFeedItems(context: FeedContext, covisit: Covisitation, trending: Trending, options: FeedBuilderOptions): FeedItem[] {
  const scores = new Map<string, { total: number; bySource: Record<CandidateSource, number> }>();
  const add = (item: string, value: number, source: CandidateSource): void => {
    if (value <= 0) return;
    let entry = scores.get(item);
    if (entry === undefined) scores.set(item, (entry = { total: 0, bySource: { covisit: 0, trending_category: 0, trending: 0 } }));
    entry.total += value;
    entry.bySource[source] += value;
  };
  const mainSource = (bySource: Record<CandidateSource, number>): CandidateSource =>
    (Object.keys(bySource) as CandidateSource[]).reduce((best, source) => (bySource[source] > bySource[best] ? source : best));

  context.recent.slice(0, ITEMS_FOR_COVISIT).forEach((recent, rank) => {
    const neighbours = covisit.neighbours(recent.item, options.neighbours);
    const max = neighbours[0]?.score ?? 0;
    if (max <= 0) return;
    const weight = SOURCE_WEIGHT.covisit * RECENCY ** rank;
    for (const neighbour of neighbours) add(neighbour.item, (weight * neighbour.score) / max, 'covisit');
  });

  const categories = [...context.categories.entries()].filter(([, w]) => w > 0).sort((a, b) => b[1] - a[1]).slice(0, TOP_CATEGORIES);
  const totalAffinity = categories.reduce((sum, [, w]) => sum + w, 0);
  for (const [category, affinity] of categories) {
    const list = trending.topInCategory(category, options.size);
    const max = list[0]?.score ?? 0;
    if (max <= 0) continue;
    const weight = (SOURCE_WEIGHT.trending_category * affinity) / totalAffinity;
    for (const entry of list) add(entry.item, (weight * entry.score) / max, 'trending_category');
  }

  const global = trending.top(options.size);
  const globalMax = global[0]?.score ?? 0;
  if (globalMax > 0) for (const entry of global) add(entry.item, (SOURCE_WEIGHT.trending * entry.score) / globalMax, 'trending');

  const current = context.recent[0]?.item;
  const hidden = (item: string): boolean => {
    if (item === current) return true;
    const boughtAt = context.purchased.get(item);
    return boughtAt !== undefined && context.now - boughtAt < options.purchasedHideMs;
  };
  return [...scores.entries()]
    .filter(([item]) => !hidden(item))
    .sort((a, b) => b[1].total - a[1].total || (a[0] < b[0] ? -1 : 1))
    .slice(0, options.size)
    .map(([item, entry]) => ({ item_id: item, score: Math.round(entry.total * 1e6) / 1e6, source: mainSource(entry.bySource) }));
}

/** Category affinity from recent session events: newer events weigh more, so a shift of intent shows at once. */
export function categoryAffinity(events: readonly { readonly category: string | null }[]): Map<string, number> {
  const out = new Map<string, number>();
  let weight = 1;
  for (let i = events.length - 1; i >= 0 && weight > 0.01; i -= 1) {
    const category = events[i]?.category;
    if (category !== null && category !== undefined) out.set(category, (out.get(category) ?? 0) + weight);
    weight *= CATEGORY_RECENCY;
  }
  return out;
}
