import type { CandidatesConfig } from '../config/config.ts';
import { Catalogue } from './catalogue.ts';
import { CoPurchases, type CoPurchaseOptions, type CoPurchaseSnapshot } from './co-purchases.ts';
import { Covisitation, type CovisitationSnapshot } from './covisitation.ts';
import { DaypartTrending, type DaypartSnapshot } from './daypart-trending.ts';
import type { BehaviourEvent, EventType } from './event.ts';
import type { ItemUpdate } from './item-update.ts';
import type { Observation } from './state-delta.ts';
import { Recommender, type ItemModel, type RecommendRequest } from './recommender/recommender.ts';
import type { Head, RankerSnapshot } from './recommender/ranker.ts';
import { NewItems, type NewItemsSnapshot } from './new-items.ts';
import { QueryIntent, type QueryIntentSnapshot } from './query-intent.ts';
import { RatingModel, type RatingModelSnapshot } from './rating-model.ts';
import { RuleSet } from './rules.ts';
import { SessionKnn, type SessionKnnSnapshot } from './session-knn.ts';
import { Trending, type TrendingSnapshot } from './trending.ts';
import { TrendingHold, type HeldCount, type TrendingHoldSnapshot } from './trending-hold.ts';
import { UserProfiles, type UserProfilesSnapshot } from './user-profiles.ts';

export interface CandidateSnapshot {
  readonly covisit: CovisitationSnapshot;
  readonly trending: TrendingSnapshot;
  readonly popularity: TrendingSnapshot;
  readonly knn: SessionKnnSnapshot;
  readonly users: UserProfilesSnapshot;
  readonly ranker: RankerSnapshot;
  readonly learnTick: number;
  /** Absent in checkpoints written before bought-together counts existed. */
  readonly coPurchases?: CoPurchaseSnapshot;
  /** Absent in checkpoints written before search intent existed. */
  readonly intent?: QueryIntentSnapshot;
  /** Absent in checkpoints written before time-of-day trending and exploration existed. */
  readonly dayparts?: DaypartSnapshot;
  readonly newItems?: NewItemsSnapshot;
  /** Absent in checkpoints written before trending counts waited for bot checks. */
  readonly held?: TrendingHoldSnapshot;
  /** Absent in checkpoints written before the rating model existed. */
  readonly ratings?: RatingModelSnapshot;
}

/** Bounds of the bought-together counts when the caller gives none (reasons.* defaults). */
export const DEFAULT_CO_PURCHASE: CoPurchaseOptions = { maxItems: 200_000, maxPartners: 50, maxSessions: 200_000, supportCap: 20 };

/** How much one event of each type adds to an item's trending and popularity counts. */
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

/**
 * What an implicit event says as a rating (`candidates.cfImplicitRatings`): looking is neutral-positive,
 * keeping and buying are strong, taking out of the cart is a mild no.
 */
export const IMPLICIT_RATING: Partial<Record<EventType, number>> = { view: 3, click: 3, favorite: 4, add_to_cart: 4, purchase: 5, remove_from_cart: 2 };

/** Which ranker head an event teaches: purchases the purchase head, every other item action the click head. */
export const RANKER_HEAD: Partial<Record<EventType, Head>> = { view: 'click', click: 'click', favorite: 'click', add_to_cart: 'click', purchase: 'purchase' };

const USER_RECENT_ITEMS = 20;
/** Trending counts waiting for the bot check, at most (beyond it the oldest count early). */
const MAX_HELD_COUNTS = 200_000;
const KNN_ITEMS_PER_SESSION = 50;
/** Neighbours the engine's (sequence-aware) session-kNN scores: twice the V-SKNN default of 100. */
const KNN_SEQUENTIAL_NEIGHBOURS = 200;

/** The global (not per-partition) state candidates come from, and the ranker that orders them. */
export class CandidateState {
  readonly covisit: Covisitation;
  readonly trending: Trending;
  readonly popularity: Trending;
  readonly knn: SessionKnn;
  readonly users: UserProfiles;
  readonly recommender: Recommender;
  /** Distinct sessions that bought each pair of items (for "often bought together" reasons). */
  readonly coPurchases: CoPurchases;
  /** What shoppers take after each search. */
  readonly intent: QueryIntent;
  /** What shoppers take at each time of day. */
  readonly dayparts: DaypartTrending;
  /** Items only just met (exploration). */
  readonly newItems: NewItems;
  /** What each item is, from the item-updates stream (content candidates, stock). */
  readonly catalogue: Catalogue;
  /** Ratings: r = μ + b_u + b_i + p_u·q_i, learned online (CF with biases). */
  readonly ratings: RatingModel;
  /** Business rules (config file and rules topic), applied to every list after ranking. */
  readonly rules = new RuleSet();
  private learnTick = 0;
  /** Trending counts waiting `trendingHoldMs` for the bot check. */
  private readonly hold: TrendingHold;

  constructor(
    readonly config: CandidatesConfig,
    model?: ItemModel,
    coPurchase: CoPurchaseOptions = DEFAULT_CO_PURCHASE,
  ) {
    this.coPurchases = new CoPurchases(coPurchase);
    this.covisit = new Covisitation({
      neighbours: config.covisitNeighbours,
      window: config.covisitWindow,
      halfLifeMs: config.covisitHalfLifeMs,
      maxItems: config.covisitMaxItems,
    });
    this.trending = new Trending({ halfLifeMs: config.trendingHalfLifeMs, maxItems: config.trendingMaxItems, topK: config.trendingTopK });
    this.popularity = new Trending({ halfLifeMs: config.popularityHalfLifeMs, maxItems: config.trendingMaxItems, topK: config.trendingTopK });
    this.knn = new SessionKnn({
      k: config.knnNeighbours,
      candidates: config.knnCandidates,
      maxSessions: config.knnMaxSessions,
      maxItemsPerSession: KNN_ITEMS_PER_SESSION,
      sequentialK: Math.max(config.knnNeighbours, KNN_SEQUENTIAL_NEIGHBOURS),
    });
    this.hold = new TrendingHold(config.trendingHoldMs, MAX_HELD_COUNTS);
    this.ratings = new RatingModel({ dim: config.cfDim, learningRate: config.cfLearningRate, factorLearningRate: config.cfFactorLearningRate, regularization: config.cfRegularization, maxUsers: config.cfMaxUsers, maxItems: config.cfMaxItems });
    this.users = new UserProfiles({ maxUsers: config.maxUsers, recentItems: USER_RECENT_ITEMS, halfLifeMs: config.profileHalfLifeMs });
    this.dayparts = new DaypartTrending({ dayparts: config.dayparts, utcOffsetMinutes: config.utcOffsetMinutes, halfLifeMs: config.popularityHalfLifeMs, maxItems: config.trendingMaxItems, topK: config.trendingTopK });
    this.newItems = new NewItems({ maxItems: config.trendingMaxItems, windowMs: config.newItemWindowMs, maxInteractions: config.newItemInteractions });
    this.catalogue = new Catalogue({ maxItems: config.catalogueMaxItems, vectorDims: config.catalogueVectorDims, attributeDims: config.catalogueAttributeDims });
    this.intent = new QueryIntent({ maxKeys: config.queryMaxKeys, itemsPerKey: config.queryItemsPerKey, halfLifeMs: config.queryHalfLifeMs });
    this.recommender = new Recommender(
      {
        covisit: this.covisit,
        knn: this.knn,
        trending: this.trending,
        popularity: this.popularity,
        ...(model === undefined ? {} : { model }),
        ...(config.queryIntent ? { intent: this.intent } : {}),
        dayparts: this.dayparts,
        newItems: this.newItems,
        catalogue: this.catalogue,
        ...(config.crossSell ? { coPurchases: this.coPurchases } : {}),
        ratings: this.ratings,
        rules: { set: this.rules, now: Date.now },
      },
      {
        covisitNeighbours: config.covisitNeighbours,
        poolPerSource: config.poolPerSource,
        modelCandidates: config.modelCandidates,
        purchasedHideMs: config.purchasedHideMs,
        excludeCurrentItem: config.excludeCurrentItem,
        rankerLearningRate: config.rankerLearningRate,
        rankerLoss: config.rankerLoss,
        rankerTopK: config.rankerTopK,
        rankerFirstPlaceWeight: config.rankerFirstPlaceWeight,
        rankerImpressionNegatives: config.rankerImpressionNegatives,
        purchaseWeight: config.purchaseWeight,
        rankerHiddenUnits: config.rankerHiddenUnits,
        rankerSeed: config.rankerSeed,
        rankerCrosses: config.rankerCrosses,
        exploreShare: config.exploreShare,
      },
    );
  }

  /**
   * Learns from one on-time event. `before` describes the session just before it: the ranker first
   * learns what the shopper took given the candidates it would have offered (prequential) and, when
   * enabled, against what the session was `shown` and did not take; then every source absorbs the event.
   */
  observe(event: BehaviourEvent, before: RecommendRequest, ingestedAt: number, shown: readonly string[] = []): Observation {
    const item = event.item_id;
    const head = item === undefined ? undefined : RANKER_HEAD[event.type];
    // The list the shopper saw was built with their profile as it stood before this event (looked up
    // only for events the ranker may learn from).
    const seen = head === undefined ? before : this.withProfile(before, event.user_id);
    if (item !== undefined && head !== undefined && (seen.sequence.length > 0 || seen.profile !== undefined) && this.sampled()) this.recommender.learn(seen, item, head, shown);
    const previous: string[] = [];
    if (item !== undefined && event.type !== 'remove_from_cart' && event.type !== 'search') {
      for (let i = before.sequence.length - 1; i >= 0 && previous.length < this.config.covisitWindow; i -= 1) {
        const other = before.sequence[i];
        if (other !== undefined && !previous.includes(other)) previous.push(other);
      }
    }
    const observation: Observation = before.query === undefined ? { event, ingestedAt, previous } : { event, ingestedAt, previous, query: before.query };
    this.absorb(observation);
    // Trending counts wait for the bot check here, in the process that owns the session; they are
    // shared once released (commitBatch).
    const weight = TRENDING_WEIGHT[event.type];
    if (item !== undefined && weight > 0) this.hold.add({ session: event.session_id, item, category: event.category_id ?? null, weight, ts: event.ts });
    return observation;
  }

  /**
   * What every source learns from one event, apart from the ranker and the trending counts: applied
   * by `observe` in the process that read the event and, through the state deltas, by every other one.
   */
  absorb(observation: Observation): void {
    const { event, ingestedAt } = observation;
    const item = event.item_id;
    this.users.observe(event, ingestedAt);
    if (item === undefined) return;
    const rating = event.type === 'rating' ? event.rating : this.config.cfImplicitRatings ? IMPLICIT_RATING[event.type] : undefined;
    if (rating !== undefined) this.ratings.observe(event.user_id ?? event.session_id, item, rating);
    if (event.type !== 'remove_from_cart' && event.type !== 'search') {
      this.covisit.observe(item, observation.previous, event.ts);
      this.knn.observe(event.session_id, item);
    }
    if (event.type === 'purchase') this.coPurchases.observe(event.session_id, item);
    const weight = TRENDING_WEIGHT[event.type];
    if (observation.query !== undefined && this.config.queryIntent) this.intent.observe(observation.query, item, event.category_id ?? null, weight, event.ts);
    // A new item's category is known at once (lists filter by it); its counts, and any change of a known
    // category, wait for the bot check.
    if (event.category_id !== undefined) this.trending.noteCategory(item, event.category_id);
    if (weight > 0) this.newItems.observe(item, event.category_id ?? null, event.ts);
  }

  /**
   * A session was just taken for a bot (SessionState.bot): its trending counts still waiting never
   * count, and nothing learns from its later events (they never reach `observe`).
   */
  flagBot(session: string): void {
    this.hold.flag(session);
  }

  private count(held: HeldCount): void {
    this.trending.observe(held.item, held.category, held.weight, held.ts);
    // Popularity is only ever read as one global list and per-item scores: per-category lists of it
    // would cost as much memory as trending's and be read by nothing.
    this.popularity.observe(held.item, null, held.weight, held.ts);
    this.dayparts.observe(held.item, held.category, held.weight, held.ts);
  }

  /**
   * The request with the known shopper's profile (`candidates.profiles`): what they took in their other
   * sessions, on any device, and their categories and price band. Anonymous requests pass unchanged.
   */
  withProfile(request: RecommendRequest, userId: string | null | undefined): RecommendRequest {
    if (!this.config.profiles || userId === null || userId === undefined) return request;
    const profile = this.users.context(userId, request.self, request.now, request.sequence);
    return profile === undefined ? request : { ...request, profile };
  }

  /**
   * Forgets a user (privacy): their profile, their ratings and those of their sessions, and their
   * sessions' item lists in session-kNN. Shared counts (co-visitation, trending) hold no identity and stay.
   */
  forgetUser(userId: string, sessionIds: readonly string[]): void {
    this.users.forget(userId);
    this.ratings.forgetUser(userId);
    for (const session of sessionIds) {
      this.ratings.forgetUser(session);
      this.knn.forget(session);
    }
  }

  /**
   * Takes an item update into the catalogue; an item met for the first time becomes new (exploration)
   * from the update's time. Throws a REC_SCHEMA error for a vector of the wrong length.
   */
  applyItemUpdate(update: ItemUpdate): 'new' | 'updated' | 'stale' {
    const outcome = this.catalogue.apply(update);
    if (outcome === 'new') this.newItems.announce(update.item_id, update.category_id ?? null, update.ts);
    return outcome;
  }

  /** Ends a micro-batch: counts what passed the bot check, folds new counts into the top-K lists; returns the counts released. */
  commitBatch(): HeldCount[] {
    const released = this.hold.due();
    this.absorbCounts(released);
    this.refresh();
    return released;
  }

  /** Adds trending counts released here or by another process (call `refresh` after a batch of them). */
  absorbCounts(counts: readonly HeldCount[]): void {
    for (const held of counts) this.count(held);
  }

  /** Folds new counts into the top-K lists. */
  refresh(): void {
    this.trending.refresh();
    this.popularity.refresh();
    this.dayparts.refresh();
  }

  private sampled(): boolean {
    const rate = this.config.rankerSampleRate;
    if (rate >= 1) return true;
    if (rate <= 0) return false;
    // Deterministic thinning (every 1/rate-th event), so runs are reproducible.
    this.learnTick += rate;
    if (this.learnTick < 1) return false;
    this.learnTick -= 1;
    return true;
  }

  /** Everything the candidate sources and the ranker learned, for a checkpoint (between micro-batches). */
  snapshot(): CandidateSnapshot {
    return {
      covisit: this.covisit.snapshot(),
      trending: this.trending.snapshot(),
      popularity: this.popularity.snapshot(),
      knn: this.knn.snapshot(),
      users: this.users.snapshot(),
      ranker: this.recommender.ranker.snapshot(),
      learnTick: this.learnTick,
      coPurchases: this.coPurchases.snapshot(),
      intent: this.intent.snapshot(),
      dayparts: this.dayparts.snapshot(),
      newItems: this.newItems.snapshot(),
      held: this.hold.snapshot(),
      ratings: this.ratings.snapshot(),
    };
  }

  /**
   * Restores a checkpoint; returns false when the ranker part did not fit (its weights start from the
   * priors). Counts waiting for the bot check belong to the process that wrote the checkpoint: another
   * one (`ownHold` false) leaves them, as their release reaches it through the deltas.
   */
  restore(snapshot: CandidateSnapshot, ownHold = true): boolean {
    this.covisit.restore(snapshot.covisit);
    this.trending.restore(snapshot.trending);
    this.popularity.restore(snapshot.popularity);
    this.knn.restore(snapshot.knn);
    this.users.restore(snapshot.users);
    this.learnTick = snapshot.learnTick;
    if (snapshot.coPurchases !== undefined) this.coPurchases.restore(snapshot.coPurchases);
    if (snapshot.intent !== undefined) this.intent.restore(snapshot.intent);
    if (snapshot.dayparts !== undefined) this.dayparts.restore(snapshot.dayparts);
    if (snapshot.newItems !== undefined) this.newItems.restore(snapshot.newItems);
    if (snapshot.held !== undefined && ownHold) this.hold.restore(snapshot.held);
    if (snapshot.ratings !== undefined) this.ratings.restore(snapshot.ratings);
    return this.recommender.ranker.restore(snapshot.ranker);
  }
}
