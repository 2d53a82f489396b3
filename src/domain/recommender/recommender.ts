import type { Catalogue } from '../catalogue.ts';
import type { CoPurchases } from '../co-purchases.ts';
import type { RatingModel } from '../rating-model.ts';
import type { RuleSet } from '../rules.ts';
import type { Covisitation } from '../covisitation.ts';
import type { DaypartTrending } from '../daypart-trending.ts';
import type { NewItems } from '../new-items.ts';
import { hash32 } from '../random.ts';
import type { ActiveQuery, QueryIntent } from '../query-intent.ts';
import type { ProfileContext } from '../user-profiles.ts';
import type { CandidateSource, FeedItem } from '../feed.ts';
import type { SessionKnn } from '../session-knn.ts';
import type { Trending } from '../trending.ts';
import { resized } from '../slot-pool.ts';
import { Scratch } from '../scratch.ts';
import { F, FEATURE_COUNT, FEATURES, type FeatureName } from './features.ts';
import { Ranker, type Head, type RankerLoss } from './ranker.ts';

/** What a list is asked for: the shopper's items so far and what we know about them. */
export interface RecommendRequest {
  /** Items in event order, oldest first (consecutive repeats collapsed). */
  readonly sequence: readonly string[];
  /** Category of each item of `sequence` where known (same length), for instant shifts of intent. */
  readonly sequenceCategories?: readonly (string | null)[];
  /** Category → affinity weight (any scale). */
  readonly categories: ReadonlyMap<string, number>;
  /** Item → time of purchase. */
  readonly purchased: ReadonlyMap<string, number>;
  /** Event time the list is built for. */
  readonly now: number;
  /** The session itself, never its own neighbour in session-kNN. */
  readonly self?: string;
  /** The search the session is acting on, if any (recent, and no newer search). */
  readonly query?: ActiveQuery;
  /** The known shopper's user id (absent: anonymous; the rating model then knows the session as `self`). */
  readonly user?: string;
  /** Items in the session's cart or bought in it, newest first, with the item events since each. */
  readonly basket?: readonly { readonly item: string; readonly steps: number }[];
  /** The known shopper's other sessions and leanings (CandidateState.withProfile); absent: anonymous. */
  readonly profile?: ProfileContext;
}

/** The request of a session with nothing before `now`. */
export function emptyRequest(now: number, self?: string): RecommendRequest {
  return { sequence: [], categories: new Map(), purchased: new Map(), now, ...(self === undefined ? {} : { self }) };
}

/** An optional learned model of the next item (e.g. the online embedding model), used to rerank candidates. */
export interface ItemModel {
  /** Scores `items` for a context given newest first into `out`; NaN for items it does not know. */
  scoreItems(contextNewestFirst: readonly string[], items: readonly string[], out: Float64Array): void;
  /** About the k items nearest to the context's session vector, best first (a candidate source). */
  nearest?(contextNewestFirst: readonly string[], k: number): readonly { readonly item: string; readonly score: number }[];
  /** Both of the above for one context from one encoding of it (a pool asks both); absent: each encodes. */
  query?(contextNewestFirst: readonly string[]): ItemModelQuery;
}

/** An `ItemModel`'s answers for one context. */
export interface ItemModelQuery {
  scoreItems(items: readonly string[], out: Float64Array): void;
  nearest?(k: number): readonly { readonly item: string; readonly score: number }[];
}

export interface RecommenderSources {
  readonly covisit: Covisitation;
  readonly knn: SessionKnn;
  readonly trending: Trending;
  readonly popularity: Trending;
  readonly model?: ItemModel;
  /** Search intent; absent: queries are ignored. */
  readonly intent?: QueryIntent;
  /** What shoppers take at each time of day; absent: no `trending_daypart` candidates. */
  readonly dayparts?: DaypartTrending;
  /** Items only just met, for the exploration slots; absent: no exploration. */
  readonly newItems?: NewItems;
  /** The item catalogue: content candidates, and items out of stock left out; absent: neither. */
  readonly catalogue?: Catalogue;
  /** What shoppers buy together: cross-sell candidates for the basket; absent: none. */
  readonly coPurchases?: CoPurchases;
  /** Ratings (CF with biases): candidates and a feature for shoppers who rated; absent: none. */
  readonly ratings?: RatingModel;
  /** Business rules applied after ranking, with the wall clock their time windows are read on; absent: none. */
  readonly rules?: { readonly set: RuleSet; readonly now: () => number };
}

export interface RecommenderOptions {
  readonly covisitNeighbours: number;
  /** Candidates taken from session-kNN (and the catalogue, ratings and search intent). */
  readonly poolPerSource: number;
  /** The model's nearest items added to the pool (0: the model only scores the pool); `poolPerSource` when absent. */
  readonly modelCandidates?: number;
  readonly purchasedHideMs: number;
  /** Leave the item being viewed out of its own list (a storefront never needs it). */
  readonly excludeCurrentItem: boolean;
  readonly rankerLearningRate: number;
  readonly rankerLoss: RankerLoss;
  /** Length of the lists the ranker optimises for (the `top-k` loss). */
  readonly rankerTopK: number;
  readonly rankerFirstPlaceWeight: number;
  /** Also learn from the list last shown: its best-scored item not taken is a negative. */
  readonly rankerImpressionNegatives?: boolean;
  readonly purchaseWeight: number;
  /** ReLU units per ranker head on top of its linear score (0: linear ranker). */
  readonly rankerHiddenUnits: number;
  /** Seed of the hidden units' random start (candidates.rankerSeed). */
  readonly rankerSeed?: number;
  /** Pairwise feature crosses in each ranker head. */
  readonly rankerCrosses: boolean;
  /** Share of a list's slots (rounded down) kept for new items, at its end; 0: none. */
  readonly exploreShare?: number;
}

const SOURCE_OF: Record<FeatureName, CandidateSource | null> = {
  bias: null,
  session_knn: 'session_knn',
  session_knn_rank: 'session_knn',
  covisit_last: 'covisit',
  covisit_last_rank: 'covisit',
  covisit_recent: 'covisit',
  in_session: 'history',
  session_recency: 'history',
  session_count: 'history',
  is_current: 'history',
  popularity: 'popular',
  trending_category: 'trending_category',
  trending: 'trending',
  trending_daypart: 'daypart',
  model: 'model',
  content: 'content',
  content_new: 'content',
  query_intent: 'query',
  query_category: 'query',
  profile_seen: 'profile',
  profile_covisit: 'profile',
  profile_knn: 'profile',
  profile_price: null,
  bought_together: 'cross_sell',
  cf: 'cf',
  context_length: null,
  knn_strength: null,
  covisit_strength: null,
};
const RECENT_FOR_COVISIT = 5;
/** Ranked items beyond a list's length handed to the rules (exclusions leave room to fill). */
const RULE_SPARE = 20;
const RECENCY = 0.6;
/** Extra damping of recent items whose category differs from the current item's. */
const SHIFT_DAMPING = 0.2;
const TOP_CATEGORIES = 3;
const POPULAR_CANDIDATES = 20;
const POPULARITY_RANGE = 1000;
/** Sessions up to this many events get time-of-day candidates (later ones only the feature). */
const DAYPART_CANDIDATE_EVENTS = 2;
/** New items looked at per category when filling exploration slots. */
const EXPLORE_CANDIDATES = 50;

/**
 * The session's category affinity with the profile's folded in: the profile decides an empty session's
 * categories and fades as the session shows its own (share 1 / (1 + length) of the total).
 */
function mergeCategories(session: ReadonlyMap<string, number>, profile: ReadonlyMap<string, number> | undefined, length: number): ReadonlyMap<string, number> {
  if (profile === undefined || profile.size === 0) return session;
  let total = 0;
  for (const weight of session.values()) if (weight > 0) total += weight;
  const merged = new Map<string, number>();
  const sessionShare = total > 0 ? length / (1 + length) : 0;
  for (const [category, weight] of session) if (weight > 0) merged.set(category, (sessionShare * weight) / total);
  for (const [category, weight] of profile) merged.set(category, (merged.get(category) ?? 0) + (1 - sessionShare) * weight);
  return merged;
}

/**
 * Scores of every pooled item written as `feature`, scaled to [0, 1] within the pool (a score that is
 * not finite, for an item the scorer does not know, counts as 0); nothing when all scores are equal.
 */
function scaledFeature(pool: Pool, feature: number, scores: Float64Array): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const score of scores) {
    if (!Number.isFinite(score)) continue;
    if (score < min) min = score;
    if (score > max) max = score;
  }
  if (!(max > min)) return;
  scores.forEach((score, i) => {
    pool.x[i * FEATURE_COUNT + feature] = Number.isFinite(score) ? (score - min) / (max - min) : 0;
  });
}

/** Halving of a basket item's pull per item event since it went into the cart. */
const BASKET_DECAY = 0.5;

/**
 * Cross-sell: what shoppers bought together with the basket's items (distinct co-buying sessions,
 * each partner list scaled to its best 1), strongest right after the item went into the cart.
 */
function crossSell(coPurchases: CoPurchases, basket: NonNullable<RecommendRequest['basket']>, set: (item: string, feature: number, value: number) => void): void {
  for (const { item, steps } of basket) {
    const partners = coPurchases.partners(item, 1);
    let max = 0;
    for (const support of partners.values()) max = Math.max(max, support);
    if (max > 0) for (const [partner, support] of partners) set(partner, F.bought_together, BASKET_DECAY ** steps * (support / max));
  }
}

/** A list place as a feature: 1 for the first, decaying like a DCG discount, never 0 for a listed item. */
function placeValue(rank: number): number {
  return 1 / Math.log2(2 + rank);
}

interface Pool {
  readonly items: string[];
  readonly index: Map<string, number>;
  /** Feature rows; the recommender's scratch buffer, valid until its next pool. */
  x: Float64Array;
}

/**
 * Candidates from every source, merged into one pool with per-source features, ordered by the online
 * ranker. The same object serves the production feeds and the evaluation harness.
 */
export class Recommender {
  readonly ranker: Ranker;
  /**
   * The feature rows of every pool, reused (only the rows the last pool used are cleared): a fresh
   * 57 KB array per list was allocated outside the heap and, at a thousand lists a second, made
   * the external-memory pressure trigger full collections.
   */
  private scratch: Float64Array = new Float64Array(256 * FEATURE_COUNT);
  private scratchRows = 0;
  private readonly logitScratch = new Scratch();
  private readonly modelScratch = new Scratch();

  constructor(
    private readonly sources: RecommenderSources,
    private readonly options: RecommenderOptions,
  ) {
    this.ranker = new Ranker({ learningRate: options.rankerLearningRate, loss: options.rankerLoss, k: options.rankerTopK, firstPlaceWeight: options.rankerFirstPlaceWeight, purchaseWeight: options.purchaseWeight, hiddenUnits: options.rankerHiddenUnits, seed: options.rankerSeed ?? 0, crosses: options.rankerCrosses });
  }

  /** The best `n` items for the request, best first, each labelled with its strongest source. */
  recommend(request: RecommendRequest, n: number): FeedItem[] {
    const pool = this.pool(request);
    const count = pool.items.length;
    const logits = this.logitScratch.take(count);
    this.ranker.score(pool.x, count, logits);
    const current = request.sequence.at(-1);
    const catalogue = this.sources.catalogue;
    const allowed = (item: string): boolean => {
      if (this.options.excludeCurrentItem && item === current) return false;
      if (catalogue !== undefined && !catalogue.inStock(item)) return false;
      const boughtAt = request.purchased.get(item);
      return boughtAt === undefined || request.now - boughtAt >= this.options.purchasedHideMs;
    };
    const order: number[] = [];
    for (let i = 0; i < count; i += 1) if (allowed(pool.items[i] ?? '')) order.push(i);
    order.sort((a, b) => (logits[b] ?? 0) - (logits[a] ?? 0) || ((pool.items[a] ?? '') < (pool.items[b] ?? '') ? -1 : 1));
    const rules = this.sources.rules;
    // Rules may drop items, so they get some of the ranking beyond the list's length.
    const ranked = order.slice(0, rules === undefined || rules.set.size === 0 ? n : n + RULE_SPARE).map(
      (i): FeedItem => ({
        item_id: pool.items[i] ?? '',
        score: Math.round((logits[i] ?? 0) * 1e6) / 1e6,
        source: this.mainSource(pool.x, i),
      }),
    );
    const list = rules === undefined ? ranked : rules.set.rank(ranked, request, n, rules.now(), (item) => this.sources.trending.category(item), allowed);
    return this.explore(list, request, n, allowed);
  }

  /**
   * Exploration: the last ⌊n · share⌋ places go to new items (`NewItems`) the list does not hold yet,
   * so items nobody has taken yet get seen and can earn a place on their merits. New items that rank
   * there anyway keep their places and need no slot. Filled from the session's current category, then
   * its leading categories, then any category; each session starts at its own place in those lists,
   * so the new items are spread over shoppers instead of all shown to everyone.
   */
  private explore(list: FeedItem[], request: RecommendRequest, n: number, allowed: (item: string) => boolean): FeedItem[] {
    const newItems = this.sources.newItems;
    const slots = Math.floor(n * (this.options.exploreShare ?? 0));
    if (newItems === undefined || slots <= 0) return list;
    const kept = n - slots;
    const held = new Set(list.slice(0, kept).map((entry) => entry.item_id));
    const chosen: string[] = [];
    const spread = hash32(request.self ?? request.sequence.join(' '));
    const categories = [request.sequenceCategories?.at(-1) ?? null, ...[...request.categories.entries()].sort((a, b) => b[1] - a[1]).map(([category]) => category), null];
    for (const category of new Set(categories)) {
      if (chosen.length >= slots) break;
      const candidates = newItems.newest(category, request.now, EXPLORE_CANDIDATES).filter((item) => !held.has(item) && !chosen.includes(item) && allowed(item));
      for (let i = 0; i < candidates.length && chosen.length < slots; i += 1) chosen.push(candidates[(spread + i) % candidates.length] ?? '');
    }
    if (chosen.length === 0) return list;
    const floor = list[kept - 1]?.score ?? list.at(-1)?.score ?? 0;
    const rest = list.filter((entry) => !chosen.includes(entry.item_id)).slice(0, n - chosen.length);
    return [...rest, ...chosen.map((item): FeedItem => ({ item_id: item, score: floor, source: 'new' }))];
  }

  /**
   * Learns from what the shopper did next: `target` is the item taken after `request`. Returns the
   * loss (prequential, before the update), or null when the target was not among the candidates.
   */
  learn(request: RecommendRequest, target: string, head: Head, shown: readonly string[] = []): number | null {
    const pool = this.pool(request);
    const positive = pool.index.get(target);
    if (positive === undefined) return null;
    const loss = this.ranker.learn(head, pool.x, pool.items.length, positive);
    if (this.options.rankerImpressionNegatives === true && shown.length > 0) this.learnFromImpression(head, pool.x, pool.index, positive, target, shown);
    return loss;
  }

  /**
   * Impressions the shopper passed over are negatives: when the item taken was on the list last shown,
   * the items shown above it were seen and skipped, so the taken item takes one pairwise step against
   * the best-scored of them (the one the ranker most wrongly preferred). When the item taken was not on
   * the list, nothing says the list was looked at, and nothing is learned from it.
   */
  private learnFromImpression(head: Head, x: Float64Array, index: ReadonlyMap<string, number>, positive: number, target: string, shown: readonly string[]): void {
    const at = shown.indexOf(target);
    if (at <= 0) return;
    let rival = -1;
    let best = Number.NEGATIVE_INFINITY;
    const row = new Float64Array(FEATURE_COUNT);
    const logit = new Float64Array(1);
    for (let k = 0; k < at; k += 1) {
      const i = index.get(shown[k] ?? '');
      if (i === undefined || i === positive) continue;
      row.set(x.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT));
      this.ranker.headScores(head, row, 1, logit);
      if ((logit[0] ?? 0) > best) {
        best = logit[0] ?? 0;
        rival = i;
      }
    }
    if (rival < 0) return;
    const pair = new Float64Array(2 * FEATURE_COUNT);
    pair.set(x.subarray(positive * FEATURE_COUNT, (positive + 1) * FEATURE_COUNT), 0);
    pair.set(x.subarray(rival * FEATURE_COUNT, (rival + 1) * FEATURE_COUNT), FEATURE_COUNT);
    this.ranker.learn(head, pair, 2, 0);
  }

  /**
   * How well one head ranks `target` among the candidates of `request`, without learning: its AUC
   * against every other candidate (ties count half) and its listwise log-loss. Null when the target is
   * not a candidate at all.
   */
  assess(request: RecommendRequest, target: string, head: Head): { auc: number; logLoss: number; candidates: number } | null {
    const pool = this.pool(request);
    const positive = pool.index.get(target);
    const count = pool.items.length;
    if (positive === undefined || count < 2) return null;
    const logits = this.logitScratch.take(count);
    this.ranker.headScores(head, pool.x, count, logits);
    const z = logits[positive] ?? 0;
    let above = 0;
    let max = Number.NEGATIVE_INFINITY;
    for (const logit of logits) max = Math.max(max, logit);
    let total = 0;
    for (let i = 0; i < count; i += 1) {
      const other = logits[i] ?? 0;
      total += Math.exp(other - max);
      if (i === positive) continue;
      if (z > other) above += 1;
      else if (z === other) above += 0.5;
    }
    return { auc: above / (count - 1), logLoss: -(z - max - Math.log(total)), candidates: count };
  }

  /**
   * The source whose feature adds most to the click head's linear part. The hidden layer is left out:
   * its units mix sources, so no one source owns their share; the label is for display only.
   */
  private mainSource(x: Float64Array, row: number): CandidateSource {
    const w = this.ranker.weights.click;
    let best: CandidateSource = 'popular';
    let bestValue = 0;
    for (let f = 0; f < FEATURE_COUNT; f += 1) {
      const name = FEATURES[f];
      const source = name === undefined ? null : SOURCE_OF[name];
      const contribution = (w[f] ?? 0) * (x[row * FEATURE_COUNT + f] ?? 0);
      if (source !== null && contribution > bestValue) {
        bestValue = contribution;
        best = source;
      }
    }
    return best;
  }

  /** The model's score of every candidate, scaled to [0, 1] within the pool (0 for items it does not know). */
  private modelFeature(model: ItemModelQuery, pool: Pool): void {
    const scores = this.modelScratch.take(pool.items.length);
    model.scoreItems(pool.items, scores);
    scaledFeature(pool, F.model, scores);
  }


  /**
   * The active search's items join the pool with their share of it, and the query's leading
   * categories bring their trending items; returns the query's category shares.
   */
  private queryCandidates(intent: QueryIntent, query: ActiveQuery, set: (item: string, feature: number, value: number) => void): ReadonlyMap<string, number> {
    const predicted = intent.predict(query.text, this.options.poolPerSource);
    const best = predicted.items[0]?.score ?? 0;
    if (best > 0) for (const { item, score } of predicted.items) set(item, F.query_intent, score / best);
    const leading = [...predicted.categories.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP_CATEGORIES);
    for (const [category] of leading) for (const entry of this.sources.trending.topInCategory(category, POPULAR_CANDIDATES)) set(entry.item, F.query_category, 0);
    return predicted.categories;
  }

  /**
   * What shoppers take at this time of day, in the session's leading categories (weighted by the
   * session's affinity, as category trending is) and overall: a session with nothing else to go on
   * still gets lists of its hour. `set` decides whether they join the pool or only mark pooled items.
   */
  private daypartCandidates(dayparts: DaypartTrending, now: number, categories: readonly (readonly [string, number])[], totalAffinity: number, set: (item: string, feature: number, value: number) => void): void {
    for (const [category, affinity] of categories) {
      const list = dayparts.topInCategory(now, category, POPULAR_CANDIDATES);
      const max = list[0]?.score ?? 0;
      if (max > 0) for (const entry of list) set(entry.item, F.trending_daypart, (0.5 * (entry.score / max) * affinity) / totalAffinity);
    }
    const overall = dayparts.top(now, POPULAR_CANDIDATES);
    const max = overall[0]?.score ?? 0;
    if (max > 0) for (const entry of overall) set(entry.item, F.trending_daypart, 0.5 * (entry.score / max));
  }

  /**
   * A known shopper's other sessions: the items they took there (weighted by age), those items'
   * co-visitation neighbours, and the items of past sessions like their recent history (session-kNN),
   * so a returning shopper's first list already follows them, even on a device never seen before.
   */
  private profileCandidates(profile: ProfileContext, self: string | undefined, set: (item: string, feature: number, value: number) => void): void {
    const items = profile.items;
    if (items.length === 0) return;
    for (const { item, weight } of items) set(item, F.profile_seen, weight);
    items.slice(0, RECENT_FOR_COVISIT).forEach(({ item, weight }, rank) => {
      const neighbours = this.sources.covisit.neighbours(item, this.options.covisitNeighbours);
      const max = neighbours[0]?.score ?? 0;
      if (max > 0) for (const neighbour of neighbours) set(neighbour.item, F.profile_covisit, RECENCY ** rank * weight * (neighbour.score / max));
    });
    const history = items.map((entry) => entry.item).reverse();
    const knn = this.sources.knn.recommend(history, this.options.poolPerSource, self, 'vstan');
    const max = knn[0]?.score ?? 0;
    if (max > 0) for (const entry of knn) set(entry.item, F.profile_knn, entry.score / max);
  }

  /** How near each candidate's catalogue price is to the shopper's price band: e^(−|ln p − band|), 0 when unpriced. */
  private priceFeature(catalogue: Catalogue, band: number, pool: Pool): void {
    for (let i = 0; i < pool.items.length; i += 1) {
      const price = catalogue.get(pool.items[i] ?? '')?.price;
      if (price !== undefined && price > 0) pool.x[i * FEATURE_COUNT + F.profile_price] = Math.exp(-Math.abs(Math.log(price) - band));
    }
  }

  /** The candidates of `request` with their feature rows (row-major, FEATURE_COUNT wide), for diagnostics. */
  candidates(request: RecommendRequest): { readonly items: readonly string[]; readonly x: Float64Array } {
    const pool = this.pool(request);
    return { items: pool.items, x: pool.x.slice(0, pool.items.length * FEATURE_COUNT) };
  }

  private pool(request: RecommendRequest): Pool {
    this.scratch.fill(0, 0, this.scratchRows * FEATURE_COUNT);
    const pool: Pool = { items: [], index: new Map(), x: this.scratch };
    const set = (item: string, feature: number, value: number): void => {
      let i = pool.index.get(item);
      if (i === undefined) {
        i = pool.items.length;
        pool.items.push(item);
        pool.index.set(item, i);
        this.scratchRows = i + 1;
        if ((i + 1) * FEATURE_COUNT > pool.x.length) {
          pool.x = resized(pool.x, pool.x.length * 2);
          this.scratch = pool.x;
        }
        pool.x[i * FEATURE_COUNT + F.bias] = 1;
      }
      pool.x[i * FEATURE_COUNT + feature] = (pool.x[i * FEATURE_COUNT + feature] ?? 0) + value;
    };
    const { sequence } = request;
    const size = this.options.poolPerSource;

    const knn = this.sources.knn.recommend(sequence, size, request.self, 'vstan');
    const knnMax = knn[0]?.score ?? 0;
    if (knnMax > 0) {
      knn.forEach((entry, rank) => {
        set(entry.item, F.session_knn, entry.score / knnMax);
        set(entry.item, F.session_knn_rank, placeValue(rank));
      });
    }

    const recent: string[] = [];
    const recentWeight: number[] = [];
    const currentCategory = request.sequenceCategories?.at(-1) ?? null;
    for (let i = sequence.length - 1; i >= 0 && recent.length < RECENT_FOR_COVISIT; i -= 1) {
      const item = sequence[i];
      if (item === undefined || recent.includes(item)) continue;
      // An item from another category than the current one speaks for an intent the shopper just left.
      const category = request.sequenceCategories?.[i] ?? null;
      const shifted = currentCategory !== null && category !== null && category !== currentCategory;
      recentWeight.push(RECENCY ** recent.length * (shifted ? SHIFT_DAMPING : 1));
      recent.push(item);
    }
    let lastMax = 0;
    recent.forEach((item, rank) => {
      const neighbours = this.sources.covisit.neighbours(item, this.options.covisitNeighbours);
      const max = neighbours[0]?.score ?? 0;
      if (max <= 0) return;
      if (rank === 0) lastMax = max;
      neighbours.forEach((neighbour, place) => {
        const value = neighbour.score / max;
        if (rank === 0) {
          set(neighbour.item, F.covisit_last, value);
          set(neighbour.item, F.covisit_last_rank, placeValue(place));
        }
        set(neighbour.item, F.covisit_recent, (recentWeight[rank] ?? 0) * value);
      });
    });

    const length = sequence.length;
    sequence.forEach((item, position) => {
      const step = length - position;
      set(item, F.session_count, 1 / (1 + Math.log1p(length)));
      const row = (pool.index.get(item) ?? 0) * FEATURE_COUNT;
      pool.x[row + F.in_session] = 1;
      pool.x[row + F.session_recency] = Math.max(pool.x[row + F.session_recency] ?? 0, 1 / step);
      if (step === 1) pool.x[row + F.is_current] = 1;
    });

    // Before popularity and the model, so the search's items get those features too.
    const intent = this.sources.intent;
    const queryCategories = intent !== undefined && request.query !== undefined ? this.queryCandidates(intent, request.query, set) : null;

    // The model's nearest items join before popularity, so they get every feature the others get.
    const model = recent.length === 0 ? undefined : queryOf(this.sources.model, recent);
    const modelCandidates = this.options.modelCandidates ?? size;
    if (model?.nearest !== undefined && modelCandidates > 0) for (const entry of model.nearest(modelCandidates)) set(entry.item, F.model, 0);
    const catalogue = this.sources.catalogue;
    if (catalogue !== undefined && catalogue.size > 0 && recent.length > 0) {
      const similar = catalogue.similar(recent, size);
      const best = similar[0]?.score ?? 0;
      const newItems = this.sources.newItems;
      if (best > 0) {
        for (const entry of similar) {
          set(entry.item, F.content, entry.score / best);
          if (newItems?.isNew(entry.item, request.now) === true) set(entry.item, F.content_new, entry.score / best);
        }
      }
    }

    const profile = request.profile;
    if (profile !== undefined) this.profileCandidates(profile, request.self, set);
    const coPurchases = this.sources.coPurchases;
    if (coPurchases !== undefined && request.basket !== undefined) crossSell(coPurchases, request.basket, set);
    const ratings = this.sources.ratings;
    const rater = request.user ?? request.self;
    const rated = ratings !== undefined && rater !== undefined && ratings.knowsUser(rater);
    if (rated) for (const entry of ratings.top(rater, size)) set(entry.item, F.cf, 0);
    const categories = [...mergeCategories(request.categories, profile?.categories, length).entries()].filter(([, w]) => w > 0).sort((a, b) => b[1] - a[1]).slice(0, TOP_CATEGORIES);
    const totalAffinity = categories.reduce((sum, [, w]) => sum + w, 0);
    for (const [category, affinity] of categories) {
      const list = this.sources.trending.topInCategory(category, 50);
      const max = list[0]?.score ?? 0;
      if (max > 0) for (const entry of list) set(entry.item, F.trending_category, ((entry.score / max) * affinity) / totalAffinity);
    }
    const dayparts = this.sources.dayparts?.enabled === true ? this.sources.dayparts : undefined;
    // Only a session's first steps get time-of-day candidates; later, the feature marks the items already pooled.
    const daypartPool = sequence.length <= DAYPART_CANDIDATE_EVENTS;
    if (dayparts !== undefined && daypartPool) this.daypartCandidates(dayparts, request.now, categories, totalAffinity, set);
    const trending = this.sources.trending.top(POPULAR_CANDIDATES);
    const trendingMax = trending[0]?.score ?? 0;
    if (trendingMax > 0) for (const entry of trending) set(entry.item, F.trending, entry.score / trendingMax);
    const popular = this.sources.popularity.top(POPULAR_CANDIDATES);
    const popularMax = popular[0]?.score ?? 0;
    if (popularMax > 0) {
      for (const entry of popular) set(entry.item, F.popularity, 0);
      // Relative popularity on a log scale: 1 for the most popular item, 0 for a never-seen one.
      const scale = Math.log1p(POPULARITY_RANGE);
      for (let i = 0; i < pool.items.length; i += 1) {
        const share = this.sources.popularity.score(pool.items[i] ?? '') / popularMax;
        pool.x[i * FEATURE_COUNT + F.popularity] = Math.log1p(share * POPULARITY_RANGE) / scale;
      }
    }
    if (model !== undefined) this.modelFeature(model, pool);
    if (profile?.priceBand !== undefined && catalogue !== undefined) this.priceFeature(catalogue, profile.priceBand, pool);
    // The rating model's predicted rating of every candidate for this shopper.
    if (rated) scaledFeature(pool, F.cf, Float64Array.from(pool.items, (item) => ratings.predict(rater, item)));
    if (dayparts !== undefined && !daypartPool) {
      this.daypartCandidates(dayparts, request.now, categories, totalAffinity, (item, feature, value) => {
        if (pool.index.has(item)) set(item, feature, value);
      });
    }
    // Raw source scores have no fixed scale, so the strengths are squashed to [0, 1) by s / (1 + s).
    const context = [
      [F.context_length, length === 0 ? 0 : 1 / length],
      [F.knn_strength, knnMax / (1 + knnMax)],
      [F.covisit_strength, lastMax / (1 + lastMax)],
    ] as const;
    for (let i = 0; i < pool.items.length; i += 1) for (const [feature, value] of context) pool.x[i * FEATURE_COUNT + feature] = value;
    if (queryCategories !== null && queryCategories.size > 0) {
      for (let i = 0; i < pool.items.length; i += 1) {
        const category = this.sources.trending.category(pool.items[i] ?? '');
        pool.x[i * FEATURE_COUNT + F.query_category] = category === undefined ? 0 : (queryCategories.get(category) ?? 0);
      }
    }
    return pool;
  }
}

/** The model's query for `recent`: its own (one encoding) or the two separate calls. */
function queryOf(model: ItemModel | undefined, recent: readonly string[]): ItemModelQuery | undefined {
  if (model === undefined) return undefined;
  if (model.query !== undefined) return model.query(recent);
  const nearest = model.nearest;
  return {
    scoreItems: (items, out) => model.scoreItems(recent, items, out),
    ...(nearest === undefined ? {} : { nearest: (k: number) => nearest.call(model, recent, k) }),
  };
}
