import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import type { BehaviourEvent } from '../../../src/domain/event.ts';
import { evaluateSearchIntent } from '../../../src/eval/search-intent.ts';

/**
 * 60 shoppers search "smart watch", look at one of 40 popular items, and click watch-1; 300 browsing
 * sessions make those 40 items far more popular than the watch. Only the query says which item comes.
 * Every tenth searcher clicks the item it is on instead (excluded from its own list: never reachable).
 */
function log(): BehaviourEvent[] {
  const events: BehaviourEvent[] = [];
  let ts = Date.UTC(2024, 0, 1);
  let n = 0;
  const add = (session: string, event: Partial<BehaviourEvent> & Pick<BehaviourEvent, 'type'>): void => {
    events.push({ event_id: `e${(n += 1)}`, ts: (ts += 1000), session_id: session, ...event });
  };
  for (let s = 0; s < 300; s += 1) {
    add(`b${s}`, { type: 'view', item_id: `pop-${s % 40}` });
    add(`b${s}`, { type: 'view', item_id: `pop-${(s * 7 + 3) % 40}` });
  }
  for (let s = 0; s < 60; s += 1) {
    add(`q${s}`, { type: 'search', query: s % 2 === 0 ? 'Smart Watch' : 'smart watch!' });
    add(`q${s}`, { type: 'view', item_id: `pop-${(s * 13) % 40}` });
    add(`q${s}`, { type: 'click', item_id: s % 10 === 9 ? `pop-${(s * 13) % 40}` : 'watch-1' });
  }
  return events;
}

describe('evaluateSearchIntent', () => {
  it('scores the clicks made after a search with and without intent, and how many any list could hold', async () => {
    const config = (intent: boolean) => loadConfig({ STREAMREC_CANDIDATES_QUERY_INTENT: String(intent), STREAMREC_LOG_LEVEL: 'warn' });
    const result = await evaluateSearchIntent({ name: 'synthetic', format: 'bestbuy', events: log() }, config);
    expect(result.searches).toBe(60);
    expect(result.with.afterSearch.clicks).toBe(60);
    expect(result.without.afterSearch.clicks).toBe(60);
    // The first click of watch-1 (never seen) and the six on the current item cannot be in any list.
    expect(result.with.afterSearch.reachable).toBeCloseTo((100 * (60 - 1 - 6)) / 60, 2);
    expect(result.without.afterSearch.reachable).toBe(result.with.afterSearch.reachable);
    // One query (two spellings, one normalised form), known once the first searcher viewed an item after it.
    expect(result.with.seenQuery.clicks).toBe(60);
    expect(result.with.afterSearch.hr20).toBeLessThanOrEqual(result.with.afterSearch.reachable);
    expect(result.with.afterSearch.mrr20).toBeGreaterThan(result.without.afterSearch.mrr20 + 20);
    expect(result.with.seenQuery.hr20).toBeGreaterThan(80);
  });
});
