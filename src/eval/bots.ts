import type { FeedBatch } from '../../pipelines/types.ts';
import type { CandidateState } from '../domain/candidate-state.ts';
import type { BehaviourEvent } from '../domain/event.ts';

/** A click-bot attack on one item, injected into a replay. */
export interface Attack {
  readonly bots: number;
  readonly clicksPerBot: number;
  /** All of a bot's clicks fall within this much event time. */
  readonly windowMs: number;
  /** Share of the training sessions replayed before the attack starts (0.5: in the middle). */
  readonly at: number;
}

export interface AbuseReport {
  readonly bots: number;
  readonly clicksPerBot: number;
  readonly windowMs: number;
  readonly target: string;
  /** The target's category (null: the data set has none, and the category list is not watched). */
  readonly category: string | null;
  readonly botEvents: number;
  /** Bot events the engine marked (stored with bot=1, learned from by nothing). */
  readonly botEventsFlagged: number;
  readonly botFlaggedShare: number;
  readonly cleanSessions: number;
  readonly cleanSessionsFlagged: number;
  readonly cleanFlaggedShare: number;
  /** The target's best place in the global and in its category's trending top 10 after any micro-batch from the attack on; null: never there. */
  readonly targetBestTrendingRank: number | null;
  readonly targetBestCategoryRank: number | null;
  /** Micro-batches from the attack on after which the target was in the global / its category's top 10. */
  readonly targetTop10Batches: number;
  readonly targetCategoryTop10Batches: number;
  readonly batchesWatched: number;
}

/** Bot session ids start with this; no replayed session id does. */
export const BOT_PREFIX = 'bot-';

/**
 * Each bot makes `clicksPerBot` schema-valid clicks on `target` spread evenly over `windowMs` from
 * `startTs`, with the target's category when known; the bots' clicks interleave, in event-time order.
 */
export function botClicks(attack: Attack, target: string, category: string | null, startTs: number): BehaviourEvent[] {
  const events: BehaviourEvent[] = [];
  const step = attack.windowMs / attack.clicksPerBot;
  for (let k = 0; k < attack.clicksPerBot; k += 1) {
    for (let b = 0; b < attack.bots; b += 1) {
      events.push({ event_id: `${BOT_PREFIX}${b}-${k}`, type: 'click', ts: Math.floor(startTs + k * step + (b * step) / attack.bots), session_id: `${BOT_PREFIX}${b}`, item_id: target, ...(category === null ? {} : { category_id: category }) });
    }
  }
  return events;
}

/** Items a category needs (replayed so far) for its target to be watched there: twice the watched top 10. */
const CROWDED_CATEGORY = 20;

/**
 * The item an attack pushes: the median item by count among those replayed so far (ties by id), so a
 * long-tail item no trending list would hold on its merits, chosen the same way in every data set.
 * With categories, only items of categories with at least 20 items replayed qualify (when any do): in a
 * category of a few items the median item is in that category's top 10 on its own, and the attack could
 * not show whether it pushed it there.
 */
export function attackTarget(counts: ReadonlyMap<string, number>, categories: ReadonlyMap<string, string> | null = null): string {
  let items = [...counts.entries()];
  if (categories !== null) {
    const sizes = new Map<string, number>();
    for (const [item] of items) {
      const category = categories.get(item);
      if (category !== undefined) sizes.set(category, (sizes.get(category) ?? 0) + 1);
    }
    const crowded = items.filter(([item]) => (sizes.get(categories.get(item) ?? '') ?? 0) >= CROWDED_CATEGORY);
    if (crowded.length > 0) items = crowded;
  }
  items.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  return items[Math.floor(items.length / 2)]?.[0] ?? '';
}

/**
 * Watches every batch of a replay from the attack on: what the engine flagged, and where the target
 * ranked in trending. Run with `bots: 0` on the same folder it gives the target's natural places, the
 * baseline an attacked run is read against (in a sparse replay a shopper's view can put any item in
 * a small category's top 10).
 */
export class AbuseWatch {
  private target: string | null = null;
  private category: string | null = null;
  private botEvents = 0;
  private botEventsFlagged = 0;
  private readonly cleanSessions = new Set<string>();
  private readonly cleanFlagged = new Set<string>();
  private bestGlobal: number | null = null;
  private bestCategory: number | null = null;
  private globalBatches = 0;
  private categoryBatches = 0;
  private batches = 0;

  constructor(private readonly attack: Attack) {}

  started(target: string, category: string | null): void {
    this.target = target;
    this.category = category;
  }

  onBatch(batch: FeedBatch, state: CandidateState): void {
    for (const { event, bot } of batch.events) {
      if (event.session_id.startsWith(BOT_PREFIX)) {
        this.botEvents += 1;
        if (bot !== undefined) this.botEventsFlagged += 1;
      } else {
        this.cleanSessions.add(event.session_id);
        if (bot !== undefined) this.cleanFlagged.add(event.session_id);
      }
    }
    const target = this.target;
    if (target === null) return;
    this.batches += 1;
    const place = (list: readonly { item: string }[]): number | null => {
      const at = list.findIndex((entry) => entry.item === target);
      return at < 0 ? null : at + 1;
    };
    const global = place(state.trending.top(10));
    if (global !== null) {
      this.globalBatches += 1;
      this.bestGlobal = Math.min(this.bestGlobal ?? global, global);
    }
    const inCategory = this.category === null ? null : place(state.trending.topInCategory(this.category, 10));
    if (inCategory !== null) {
      this.categoryBatches += 1;
      this.bestCategory = Math.min(this.bestCategory ?? inCategory, inCategory);
    }
  }

  report(): AbuseReport {
    const pct = (n: number, of: number): number => Math.round((10000 * n) / Math.max(1, of)) / 100;
    return {
      bots: this.attack.bots,
      clicksPerBot: this.attack.clicksPerBot,
      windowMs: this.attack.windowMs,
      target: this.target ?? '',
      category: this.category,
      botEvents: this.botEvents,
      botEventsFlagged: this.botEventsFlagged,
      botFlaggedShare: pct(this.botEventsFlagged, this.botEvents),
      cleanSessions: this.cleanSessions.size,
      cleanSessionsFlagged: this.cleanFlagged.size,
      cleanFlaggedShare: pct(this.cleanFlagged.size, this.cleanSessions.size),
      targetBestTrendingRank: this.bestGlobal,
      targetBestCategoryRank: this.bestCategory,
      targetTop10Batches: this.globalBatches,
      targetCategoryTop10Batches: this.categoryBatches,
      batchesWatched: this.batches,
    };
  }
}
