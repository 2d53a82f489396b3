import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import type { BehaviourEvent } from '../../../src/domain/event.ts';
import { profileEval } from '../../../src/eval/profiles.ts';

/**
 * 300 users each keep to one of 60 "tastes" (items a<t>, b<t>, c<t> seen together); each comes back
 * for a second session that starts with an item of the same taste. Anonymous shoppers browse the same
 * tastes, so the items are known, but nothing but the profile says which taste a new session has.
 */
function stream(): BehaviourEvent[] {
  const events: BehaviourEvent[] = [];
  let ts = Date.UTC(2024, 0, 1);
  let n = 0;
  const add = (session: string, item: string, user?: string): void => {
    events.push({ event_id: `e${(n += 1)}`, type: 'view', ts: (ts += 60_000), session_id: session, item_id: item, ...(user === undefined ? {} : { user_id: user }) });
  };
  for (let s = 0; s < 600; s += 1) for (const x of ['a', 'b', 'c']) add(`anon${s}`, `${x}${s % 60}`);
  for (let u = 0; u < 300; u += 1) {
    add(`u${u}-1`, `a${u % 60}`, `u${u}`);
    add(`u${u}-1`, `b${u % 60}`, `u${u}`);
  }
  for (let u = 0; u < 300; u += 1) {
    add(`u${u}-2`, `c${u % 60}`, `u${u}`);
    add(`u${u}-2`, `a${u % 60}`, `u${u}`);
  }
  return events;
}

describe('profileEval', () => {
  it('scores only the first two items of returning users’ sessions, with and without the profile', () => {
    const report = profileEval(stream(), loadConfig({ STREAMREC_CANDIDATES_EXCLUDE_CURRENT_ITEM: 'false' }));
    expect(report.users).toBe(300);
    expect(report.returningUsers).toBe(300);
    expect(report.returningSessions).toBe(300);
    expect(report.withProfile.first.rows).toBe(300);
    expect(report.withProfile.second.rows).toBe(300);
    expect(report.withoutProfile.both.rows).toBe(600);
    // The first item: only the profile knows the taste (60 equally popular tastes, 20 places).
    expect(report.withProfile.first.hr20).toBeGreaterThan(90);
    expect(report.withoutProfile.first.hr20).toBeLessThan(50);
    // The second: the session's own first item already says it, with or without the profile.
    expect(report.withoutProfile.second.hr20).toBeGreaterThan(90);
    expect(report.withProfile.both.hr20).toBeGreaterThan(report.withoutProfile.both.hr20);
  });
});
