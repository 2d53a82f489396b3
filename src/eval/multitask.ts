import type { Config } from '../config/config.ts';
import { CandidateState, RANKER_HEAD } from '../domain/candidate-state.ts';
import type { BehaviourEvent } from '../domain/event.ts';
import { SessionWindows } from '../domain/session-windows.ts';
import { emptyRequest } from '../domain/recommender/recommender.ts';

export interface HeadFigures {
  /** Events whose item was among the candidates (the only ones a ranker can order). */
  readonly assessed: number;
  readonly events: number;
  /** Mean AUC of the taken item against the other candidates, measured before learning from it. */
  readonly auc: number;
  /** Mean listwise log-loss of the taken item, measured before learning from it. */
  readonly logLoss: number;
}

export interface MultitaskReport {
  readonly click: HeadFigures;
  readonly purchase: HeadFigures;
  /** Share of purchases whose item was in the top 20 shown just before (percent). */
  readonly purchaseHr20: { readonly engine: number; readonly popularity: number; readonly purchases: number };
}

/**
 * Prequential figures of the ranker's two heads on a time-ordered stream with views and purchases:
 * before each event is learned, how well does its head rank the item taken (AUC, log-loss), and for
 * purchases, was the item in the engine's top 20 (against the 20 most popular items at that moment)?
 */
export function multitask(events: readonly BehaviourEvent[], config: Config): MultitaskReport {
  const state = new CandidateState(config.candidates);
  // Replayed history is in time order; nothing here is late.
  const sessions = SessionWindows.fromConfig({ ...config.sessions, allowedLatenessMs: Number.MAX_SAFE_INTEGER }).of(0);
  const tally = { click: { assessed: 0, events: 0, auc: 0, logLoss: 0 }, purchase: { assessed: 0, events: 0, auc: 0, logLoss: 0 } };
  let purchases = 0;
  let engineHits = 0;
  let popularHits = 0;
  let sinceRefresh = 0;
  for (const event of events) {
    const item = event.item_id;
    const head = RANKER_HEAD[event.type];
    const before = sessions.get(event.session_id)?.request(event.ts) ?? emptyRequest(event.ts, event.session_id);
    if (item !== undefined && head !== undefined) {
      const t = tally[head];
      t.events += 1;
      const assessed = state.recommender.assess(before, item, head);
      if (assessed !== null) {
        t.assessed += 1;
        t.auc += assessed.auc;
        t.logLoss += assessed.logLoss;
      }
      if (head === 'purchase') {
        purchases += 1;
        if (state.recommender.recommend(before, 20).some((entry) => entry.item_id === item)) engineHits += 1;
        if (state.popularity.top(20).some((entry) => entry.item === item)) popularHits += 1;
      }
    }
    state.observe(event, before, 0);
    sessions.apply(event, 0);
    sinceRefresh += 1;
    if (sinceRefresh >= 500) {
      state.commitBatch();
      sessions.expire();
      sinceRefresh = 0;
    }
  }
  const figures = (t: (typeof tally)['click']): HeadFigures => ({
    assessed: t.assessed,
    events: t.events,
    auc: Math.round((10000 * t.auc) / Math.max(1, t.assessed)) / 10000,
    logLoss: Math.round((10000 * t.logLoss) / Math.max(1, t.assessed)) / 10000,
  });
  const pct = (n: number): number => Math.round((10000 * n) / Math.max(1, purchases)) / 100;
  return {
    click: figures(tally.click),
    purchase: figures(tally.purchase),
    purchaseHr20: { engine: pct(engineHits), popularity: pct(popularHits), purchases },
  };
}
