import { describe, expect, it } from 'vitest';
import type { BehaviourEvent } from '../../../src/domain/event.ts';
import type { Feed } from '../../../src/domain/feed.ts';
import { pickLiveSessions, replayLive } from '../../../src/replay/live-replay.ts';

const ev = (id: string, session: string, type: BehaviourEvent['type'], item: string): BehaviourEvent => ({ event_id: id, type, ts: 1, session_id: session, item_id: item });

/** An engine stand-in: after each event, the session's list becomes `lists[step]`. */
function fakeEngine(lists: readonly (readonly string[])[]) {
  const sent: BehaviourEvent[] = [];
  let clock = 1_000;
  let feed: Feed | null = null;
  let step = 0;
  return {
    sent,
    deps: {
      publish: async (events: readonly BehaviourEvent[]) => {
        sent.push(...events);
        const last = events.at(-1);
        feed = { items: (lists[step] ?? []).map((item_id) => ({ item_id, score: 1, source: 'covisit' as const })), generated_at: clock, event_ts: last?.ts ?? 0, version: 1, model_version: 'm', variant: 'default', recommendation_id: `r${step}` };
        step += 1;
      },
      readFeed: async () => feed,
      now: () => (clock += 10),
      sleep: async () => undefined,
    },
  };
}

describe('replayLive', () => {
  it('clicks a real next item only when it was on the list shown, and carries that list id to its purchase', async () => {
    const engine = fakeEngine([['b', 'x'], ['y'], []]);
    const session = [ev('1', 's', 'view', 'a'), ev('2', 's', 'view', 'b'), ev('3', 's', 'purchase', 'b')];
    const result = await replayLive(new Map([['s', session]]), engine.deps, { feedWaitMs: 100 });
    expect(result).toEqual({ sessions: 1, events: 3, clicks: 1, attributedPurchases: 1, staleSteps: 0 });
    expect(engine.sent.map((e) => [e.event_id, e.type, e.recommendation_id])).toEqual([
      ['1', 'view', undefined],
      ['2-click', 'click', 'r0'],
      ['2', 'view', undefined],
      ['3', 'purchase', 'r0'],
    ]);
    // Time moves to now, in order.
    const times = engine.sent.map((e) => e.ts);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(times[0]).toBeGreaterThan(1_000);
  });

  it('counts a step as stale when the refreshed list does not come in time', async () => {
    const deps = { ...fakeEngine([]).deps, readFeed: async () => null };
    const result = await replayLive(new Map([['s', [ev('1', 's', 'view', 'a')]]]), deps, { feedWaitMs: 50 });
    expect(result.staleSteps).toBe(1);
  });
});

describe('pickLiveSessions', () => {
  it('keeps sessions with enough distinct views, buyers first, then the best-known items', () => {
    const events = [
      ...['a', 'b', 'c'].map((item, i) => ev(`p${i}`, 'plain', 'view', item)),
      ...['a', 'b', 'd'].map((item, i) => ev(`b${i}`, 'buyer', 'view', item)),
      ev('b9', 'buyer', 'purchase', 'd'),
      ...['a', 'a'].map((item, i) => ev(`s${i}`, 'short', 'view', item)),
    ];
    expect([...pickLiveSessions(events, 5).keys()]).toEqual(['buyer', 'plain']);
    expect([...pickLiveSessions(events, 1).keys()]).toEqual(['buyer']);
  });
});
