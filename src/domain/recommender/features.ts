/**
 * The ranker's features of one candidate item, in a fixed order. Source scores are normalised per
 * request (divided by the best score of that source), so the weights compare sources, not scales.
 * `query_intent` is the item's share of what shoppers took after the session's active search (and
 * `query_category` its category's share), so a search steers the list before any item was seen.
 * `content` is how like the session's items the item is, by catalogue attributes and vectors (the
 * best of the request 1), so an item nobody took yet can still rank; `content_new` is the same for a
 * new item only (`NewItems`): no behavioural source knows it, so its content is all there is to go
 * on, and its prior lets it reach the middle of a list of items it is most like. `trending_daypart` is
 * the item's place in what shoppers take at this time of day (in the session's categories, and overall).
 * The `profile_` features come from a known shopper's other sessions (other devices, earlier visits):
 * an item they took there (decayed by age), co-visitation and session-kNN of those items, and how near
 * the item's price is to the shopper's price band; all 0 for anonymous sessions. `bought_together` is
 * cross-sell: how often shoppers bought the item with one in the session's basket (cart or bought),
 * halved per item event since; its prior lets complements lead the list right after an add to cart.
 * `cf` is the rating model's predicted rating of the item for the shopper (scaled to [0, 1] within the
 * request), for shoppers who rated items; 0 for everyone else.
 * The `_rank` features give the item's place in that source's list as 1/log2(2 + rank) (1 for the
 * first, 0 when absent): a place means the same in every request, where a score ratio depends on how
 * peaked that request's scores happen to be. The last three describe the request, not the item (the
 * same on every row): a linear ranker cannot use them, but a hidden layer can, to trust one source
 * more in short sessions or when another source knows little.
 */
export const FEATURES = [
  'bias',
  'session_knn',
  'session_knn_rank',
  'covisit_last',
  'covisit_last_rank',
  'covisit_recent',
  'in_session',
  'session_recency',
  'session_count',
  'is_current',
  'popularity',
  'trending_category',
  'trending',
  'trending_daypart',
  'model',
  'content',
  'content_new',
  'query_intent',
  'query_category',
  'profile_seen',
  'profile_covisit',
  'profile_knn',
  'profile_price',
  'bought_together',
  'cf',
  'context_length',
  'knn_strength',
  'covisit_strength',
] as const;

export type FeatureName = (typeof FEATURES)[number];
export const FEATURE_COUNT = FEATURES.length;
export const F = Object.fromEntries(FEATURES.map((name, index) => [name, index])) as Record<FeatureName, number>;

/**
 * Starting weights, before any feedback: session-kNN leads and co-visitation of the recent items breaks
 * its ties (chosen on a validation split: the last 5 % of Diginetica's training sessions, never the test
 * prefixes); trending and category trending only matter for sessions the other sources know nothing about.
 */
export const PRIOR_WEIGHTS: Readonly<Record<FeatureName, number>> = {
  bias: 0,
  session_knn: 10,
  session_knn_rank: 0,
  covisit_last: 0,
  covisit_last_rank: 0,
  covisit_recent: 1,
  in_session: 0,
  session_recency: 0,
  session_count: 0,
  is_current: 0,
  popularity: 0.05,
  trending_category: 0.1,
  trending: 0.02,
  trending_daypart: 0.05,
  model: 1,
  content: 2,
  content_new: 6,
  query_intent: 12,
  query_category: 4,
  profile_seen: 0.5,
  profile_covisit: 1,
  profile_knn: 2,
  profile_price: 0.1,
  bought_together: 12,
  cf: 1,
  context_length: 0,
  knn_strength: 0,
  covisit_strength: 0,
};
