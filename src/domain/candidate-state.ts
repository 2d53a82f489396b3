import type { CandidatesConfig } from '../config/config.ts';
import { Covisitation } from './covisitation.ts';
import type { BehaviourEvent, EventType } from './event.ts';
import { Trending } from './trending.ts';
import { UserProfiles } from './user-profiles.ts';

/** How much one event of each type adds to an item's trending count. */
export const TRENDING_WEIGHT: Record<EventType, number> = {
  search: 0,
  view: 1,
  click: 1,
  favorite: 2,
  add_to_cart: 3,
  remove_from_cart: 0,
  purchase: 4,
  rating: 1,
};

const USER_RECENT_ITEMS = 20;

/** The global (not per-partition) state candidates come from. */
export class CandidateState {
  readonly covisit: Covisitation;
  readonly trending: Trending;
  readonly users: UserProfiles;

  constructor(readonly config: CandidatesConfig) {
    this.covisit = new Covisitation({
      neighbours: config.covisitNeighbours,
      window: config.covisitWindow,
      halfLifeMs: config.covisitHalfLifeMs,
      maxItems: config.covisitMaxItems,
    });
    this.trending = new Trending({ halfLifeMs: config.trendingHalfLifeMs, maxItems: config.trendingMaxItems, topK: config.trendingTopK });
    this.users = new UserProfiles(config.maxUsers, USER_RECENT_ITEMS);
  }

  /** Learns from one on-time event; `previousItems` are the session's items before it, newest first. */
  observe(event: BehaviourEvent, previousItems: readonly string[], ingestedAt: number): void {
    this.users.observe(event, ingestedAt);
    if (event.item_id === undefined) return;
    if (event.type !== 'remove_from_cart' && event.type !== 'search') this.covisit.observe(event.item_id, previousItems, event.ts);
    this.trending.observe(event.item_id, event.category_id ?? null, TRENDING_WEIGHT[event.type], event.ts);
  }

  /** Ends a micro-batch: folds new counts into the trending top-K lists. */
  commitBatch(): void {
    this.trending.refresh();
  }
}
