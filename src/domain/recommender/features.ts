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

/** Starting weights: a sensible blend before any feedback (session-kNN leads, then co-visitation). */
export const PRIOR_WEIGHTS: Readonly<Record<FeatureName, number>> = {
  bias: 0,
  session_knn: 6,
  covisit_last: 1,
  covisit_recent: 0.6,
  in_session: 0,
  session_recency: 0,
  session_count: 0,
  is_current: 0,
  popularity: 0.5,
  trending_category: 0.5,
  trending: 0.2,
  model: 1,
};
