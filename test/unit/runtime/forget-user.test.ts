import { describe, expect, it } from 'vitest';
import { CandidateState } from '../../../src/domain/candidate-state.ts';
import { emptyRequest } from '../../../src/domain/recommender/recommender.ts';
import { SessionWindows } from '../../../src/domain/session-windows.ts';
import { forgetUser } from '../../../src/runtime/forget-user.ts';
import { T0, event } from '../helpers/events.ts';
import { CANDIDATES } from '../helpers/fakes.ts';

describe('forgetUser', () => {
  it('removes the user’s sessions, profile and ratings, and asks Redis and ClickHouse for the rest', async () => {
    const windows = new SessionWindows({ lastItems: 20, maxEventsPerSession: 100, inactivityMs: 1_800_000, allowedLatenessMs: 60_000, maxSessions: 100 });
    const candidates = new CandidateState(CANDIDATES);
    const events = [
      event({ session_id: 'phone', user_id: 'alice', item_id: 'a', ts: T0 }),
      event({ session_id: 'phone', user_id: 'alice', item_id: 'b', type: 'rating', rating: 5, ts: T0 + 1 }),
      event({ session_id: 'other', user_id: 'bob', item_id: 'a', ts: T0 + 2 }),
    ];
    for (const e of events) {
      candidates.observe(e, emptyRequest(e.ts, e.session_id), 0);
      windows.of(0).apply(e, 0);
    }
    const calls: string[] = [];
    const done = await forgetUser(
      { type: 'forget_user', user_id: 'alice', requested_ms: 5 },
      {
        windows,
        candidates,
        pseudonym: (id) => `p-${id}`,
        instance: 'test',
        now: () => 9,
        redis: { forget: async (user, sessions) => calls.push(`redis ${user} ${sessions.join(',')}`) },
        clickhouse: {
          sessionsOf: async (p) => (calls.push(`sessionsOf ${p}`), ['laptop']),
          forget: async (p, sessions) => void calls.push(`forget ${p} ${sessions.join(',')}`),
          record: async (row) => void calls.push(`record ${JSON.stringify(row)}`),
        },
      },
    );
    expect(done.sessions).toBe(2);
    expect(windows.of(0).get('phone')).toBeUndefined();
    expect(windows.of(0).get('other')).toBeDefined();
    expect(candidates.users.get('alice')).toBeUndefined();
    expect(candidates.users.get('bob')).toBeDefined();
    expect(candidates.ratings.knowsUser('alice')).toBe(false);
    expect(calls).toEqual([
      'sessionsOf p-alice',
      'redis alice phone,laptop',
      'forget p-alice phone,laptop',
      `record ${JSON.stringify({ user_pseudonym: 'p-alice', instance: 'test', requested_ms: 5, done_ms: 9, sessions: 2 })}`,
    ]);
  });
});
