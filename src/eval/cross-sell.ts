import type { Config } from '../config/config.ts';
import type { BehaviourEvent } from '../domain/event.ts';
import { CoPurchases } from '../domain/co-purchases.ts';
import { replayArm, type Picker, type SliceFigures } from './arms.ts';

export interface CrossSellReport {
  readonly events: number;
  /** Purchases made with something already in the session's basket (carted or bought before). */
  readonly withCrossSell: SliceFigures;
  readonly withoutCrossSell: SliceFigures;
  readonly popularity: SliceFigures;
  /**
   * Scored purchases whose item had been bought together with one of the basket's items in an earlier
   * session: the most cross-sell can find (it only knows pairs bought before).
   */
  readonly boughtTogetherBefore: number;
}

/** Purchases of a session whose basket already holds an item: the next purchase after a cart event. */
const afterBasket: Picker = (event, before) => (event.type === 'purchase' && before.basket !== undefined && before.basket.length > 0 ? 0 : null);

/** Unbounded: the ceiling counts every pair ever bought together. */
const EVERY_PAIR = { maxItems: Number.MAX_SAFE_INTEGER, maxPartners: Number.MAX_SAFE_INTEGER, maxSessions: Number.MAX_SAFE_INTEGER, maxItemsPerSession: Number.MAX_SAFE_INTEGER, supportCap: 1 };

/**
 * Cross-sell measured on a replayed log: the time-ordered events are replayed twice through the
 * engine's state, with `candidates.crossSell` on and off; each purchase made while the session's basket
 * already held an item (an add to cart or an earlier purchase) is scored (HR@20, MRR@20 in the list the
 * engine would show just before it), then learned.
 */
export function crossSellEval(events: readonly BehaviourEvent[], config: Config): CrossSellReport {
  const pairs = new CoPurchases(EVERY_PAIR);
  let boughtTogetherBefore = 0;
  const counting: Picker = (event, before) => {
    const slice = afterBasket(event, before);
    const item = event.item_id;
    // A target already in the basket was paired with it by this very session, not an earlier one.
    const basket = before.basket ?? [];
    if (slice !== null && item !== undefined && !basket.some((entry) => entry.item === item) && basket.some((entry) => pairs.support(entry.item, item) > 0)) boughtTogetherBefore += 1;
    if (event.type === 'purchase' && item !== undefined) pairs.observe(event.session_id, item);
    return slice;
  };
  const on = replayArm(events, { ...config.candidates, crossSell: true }, config, 1, counting);
  const off = replayArm(events, { ...config.candidates, crossSell: false }, config, 1, afterBasket);
  const first = (slices: readonly SliceFigures[]): SliceFigures => slices[0] ?? { rows: 0, hits: 0, hr20: 0, mrr20: 0 };
  return { events: events.length, withCrossSell: first(on.engine), withoutCrossSell: first(off.engine), popularity: first(on.popularity), boughtTogetherBefore };
}
