import { map, type OperatorFunction } from 'rxjs';
import { addScores, NO_SCORE, scoreStep } from '../../src/domain/served-evaluation.ts';
import type { ScoredBatch, WindowedBatch } from '../types.ts';

/** Event types that are a shopper's next step (a search or a rating is not a next item). */
const STEP_TYPES = new Set(['view', 'click', 'favorite', 'add_to_cart', 'purchase']);

/**
 * Online (prequential) evaluation: each next-item event is scored against the list its session was
 * served just before, before anything learns from it — the live counterpart of the offline HR@20.
 *
 * @example windowed$.pipe(scoreServed())
 */
export function scoreServed(): OperatorFunction<WindowedBatch, ScoredBatch> {
  return map((batch) => {
    let online = NO_SCORE;
    for (const { ingested, before, served } of batch.applied) {
      if (!STEP_TYPES.has(ingested.event.type)) continue;
      const step = scoreStep(served, before.sequence.at(-1), ingested.event.item_id);
      if (step !== null) online = addScores(online, step);
    }
    return { ...batch, online };
  });
}
