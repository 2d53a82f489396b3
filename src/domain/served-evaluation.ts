/** Depth of the online hit rate, as in the offline evaluation (HR@20, MRR@20). */
export const ONLINE_K = 20;

/** Prequential figures of served lists: how often the shopper's next item was on the list shown. */
export interface ServedScore {
  readonly predictions: number;
  readonly hits: number;
  readonly reciprocalRankSum: number;
}

export const NO_SCORE: ServedScore = { predictions: 0, hits: 0, reciprocalRankSum: 0 };

/**
 * Scores one next-item step against the list served just before it: a hit when `item` is in the first
 * `k` entries, with 1/rank toward MRR. Null when there is nothing to score: no list was served yet, or
 * the step is no step (no item, or the same item as the one before).
 */
export function scoreStep(served: readonly string[], previousItem: string | undefined, item: string | undefined, k = ONLINE_K): ServedScore | null {
  if (served.length === 0 || item === undefined || item === previousItem) return null;
  const rank = served.indexOf(item);
  if (rank < 0 || rank >= k) return { predictions: 1, hits: 0, reciprocalRankSum: 0 };
  return { predictions: 1, hits: 1, reciprocalRankSum: 1 / (rank + 1) };
}

export function addScores(a: ServedScore, b: ServedScore): ServedScore {
  return { predictions: a.predictions + b.predictions, hits: a.hits + b.hits, reciprocalRankSum: a.reciprocalRankSum + b.reciprocalRankSum };
}
