import type { BehaviourEvent } from '../domain/event.ts';
import type { Feed } from '../domain/feed.ts';

export interface LiveReplayDeps {
  /** Sends events to the engine's topic; resolves once the broker has them. */
  publish(events: readonly BehaviourEvent[]): Promise<void>;
  /** The session's current list as the storefront reads it (null before the first one). */
  readFeed(sessionId: string): Promise<Feed | null>;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface LiveReplayOptions {
  /** How long to wait for the engine to refresh a session's list after each step. */
  readonly feedWaitMs: number;
}

export interface LiveReplayResult {
  readonly sessions: number;
  /** Real events sent (with their time moved to now). */
  readonly events: number;
  /** Real next items that were on the list shown just before (each sent as a click on that list). */
  readonly clicks: number;
  /** Real purchases of an item first taken from a list, carrying that list's recommendation_id. */
  readonly attributedPurchases: number;
  /** Steps whose refreshed list did not arrive within `feedWaitMs`. */
  readonly staleSteps: number;
}

/**
 * Replays real sessions as a storefront would live them, one step at a time and at the current time:
 * before each real item, the shopper's current list is read; when the item the real shopper took next
 * is on it, the step is sent as a click on that list (with its recommendation_id) followed by the real
 * event, and a later purchase or add-to-cart of that item carries the same id. Nothing is invented:
 * every click is a real next item that was on the list the engine served at that moment.
 */
export async function replayLive(sessions: ReadonlyMap<string, readonly BehaviourEvent[]>, deps: LiveReplayDeps, options: LiveReplayOptions): Promise<LiveReplayResult> {
  let events = 0;
  let clicks = 0;
  let attributedPurchases = 0;
  let staleSteps = 0;
  for (const [sessionId, steps] of sessions) {
    const takenFrom = new Map<string, string>();
    for (const step of steps) {
      const ts = deps.now();
      const item = step.item_id;
      const feed = await deps.readFeed(sessionId);
      const batch: BehaviourEvent[] = [];
      if (step.type === 'view' && item !== undefined && feed !== null && feed.items.some((entry) => entry.item_id === item)) {
        const { recommendation_id: _ignored, ...base } = step;
        batch.push({ ...base, event_id: `${step.event_id}-click`, type: 'click', ts, recommendation_id: feed.recommendation_id });
        takenFrom.set(item, feed.recommendation_id);
        clicks += 1;
      }
      const attributed = item === undefined || step.type === 'view' ? undefined : takenFrom.get(item);
      if (attributed !== undefined && step.type === 'purchase') attributedPurchases += 1;
      batch.push({ ...step, ts: ts + 1, ...(attributed === undefined ? {} : { recommendation_id: attributed }) });
      await deps.publish(batch);
      events += 1;
      if (!(await waitForFeed(sessionId, ts, deps, options.feedWaitMs))) staleSteps += 1;
    }
  }
  return { sessions: sessions.size, events, clicks, attributedPurchases, staleSteps };
}

async function waitForFeed(sessionId: string, ts: number, deps: LiveReplayDeps, waitMs: number): Promise<boolean> {
  const deadline = deps.now() + waitMs;
  for (;;) {
    const feed = await deps.readFeed(sessionId);
    if (feed !== null && feed.event_ts >= ts) return true;
    if (deps.now() >= deadline) return false;
    await deps.sleep(10);
  }
}

/**
 * Real sessions worth replaying live: at least `minViews` distinct views, preferring those with
 * purchases and then those whose items others viewed most (so their lists have evidence). Deterministic.
 */
export function pickLiveSessions(events: readonly BehaviourEvent[], count: number, minViews = 3): Map<string, BehaviourEvent[]> {
  const bySession = new Map<string, BehaviourEvent[]>();
  const popularity = new Map<string, number>();
  for (const event of events) {
    let list = bySession.get(event.session_id);
    if (list === undefined) bySession.set(event.session_id, (list = []));
    list.push(event);
    if (event.item_id !== undefined) popularity.set(event.item_id, (popularity.get(event.item_id) ?? 0) + 1);
  }
  const ranked: { id: string; purchases: number; evidence: number }[] = [];
  for (const [id, list] of bySession) {
    const views = new Set(list.filter((e) => e.type === 'view').map((e) => e.item_id));
    if (views.size < minViews) continue;
    const purchases = list.filter((e) => e.type === 'purchase').length;
    const evidence = Math.min(...[...views].map((item) => (item === undefined ? 0 : (popularity.get(item) ?? 0))));
    ranked.push({ id, purchases, evidence });
  }
  ranked.sort((a, b) => Math.sign(b.purchases) - Math.sign(a.purchases) || b.evidence - a.evidence || (a.id < b.id ? -1 : 1));
  return new Map(ranked.slice(0, count).map(({ id }) => [id, bySession.get(id) ?? []]));
}
