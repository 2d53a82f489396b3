/**
 * The ranker's features of one candidate item, in a fixed order. Source scores are normalised per
 * request (divided by the best score of that source), so the weights compare sources, not scales.
 */
export const FEATURES = [
  'bias',
  'session_knn',
  'covisit_last',
  'covisit_recent',
  'in_session',
  'session_recency',
  'session_count',
  'is_current',
  'popularity',
  'trending_category',
  'trending',
  'model',
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
  covisit_last: 0,
  covisit_recent: 1,
  in_session: 0,
  session_recency: 0,
  session_count: 0,
  is_current: 0,
  popularity: 0.05,
  trending_category: 0.1,
  trending: 0.02,
  model: 1,
};
