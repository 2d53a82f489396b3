import { describe, expect, it } from 'vitest';
import { CandidateState } from '../../../src/domain/candidate-state.ts';
import { emptyRequest } from '../../../src/domain/recommender/recommender.ts';
import { UserProfiles } from '../../../src/domain/user-profiles.ts';
import { T0, event } from '../helpers/events.ts';
import { CANDIDATES } from '../helpers/fakes.ts';

const DAY = 86_400_000;
const options = { maxUsers: 10, recentItems: 5, halfLifeMs: 7 * DAY };

describe('UserProfiles', () => {
  it('gives a session the items of the user’s other sessions, newest first, weighted by age, never its own', () => {
    const profiles = new UserProfiles(options);
    profiles.observe(event({ user_id: 'u', session_id: 'phone', item_id: 'a', ts: T0 }), 0);
    profiles.observe(event({ user_id: 'u', session_id: 'phone', item_id: 'b', ts: T0 + 7 * DAY }), 0);
    profiles.observe(event({ user_id: 'u', session_id: 'laptop', item_id: 'c', ts: T0 + 7 * DAY }), 0);
    const context = profiles.context('u', 'laptop', T0 + 7 * DAY, []);
    expect(context?.items).toEqual([
      { item: 'b', weight: 1 },
      { item: 'a', weight: 0.5 },
    ]);
    // Items already in the session's own sequence are left to it.
    expect(profiles.context('u', 'tablet', T0 + 7 * DAY, ['c'])?.items.map((entry) => entry.item)).toEqual(['b', 'a']);
    expect(profiles.context('nobody', 'laptop', T0, [])).toBeUndefined();
  });

  it('decays categories and the price band, so recent leanings outweigh old ones', () => {
    const profiles = new UserProfiles(options);
    for (let i = 0; i < 3; i += 1) profiles.observe(event({ user_id: 'u', category_id: 'old', price: 100, ts: T0 }), 0);
    // Three weeks later (three half-lives) two events in another category outweigh the three old ones.
    for (let i = 0; i < 2; i += 1) profiles.observe(event({ user_id: 'u', category_id: 'new', price: 10, ts: T0 + 21 * DAY }), 0);
    const context = profiles.context('u', 'other', T0 + 21 * DAY, []);
    expect(context?.categories.get('new')).toBeCloseTo(2 / (2 + 3 / 8), 6);
    expect(context?.categories.get('old')).toBeCloseTo(3 / 8 / (2 + 3 / 8), 6);
    const band = (2 * Math.log(10) + (3 / 8) * Math.log(100)) / (2 + 3 / 8);
    expect(context?.priceBand).toBeCloseTo(band, 6);
  });

  it('restores a snapshot to the same contexts, and one written before decay existed', () => {
    const profiles = new UserProfiles(options);
    profiles.observe(event({ user_id: 'u', session_id: 'a', item_id: 'x', category_id: 'c', price: 5, ts: T0 }), 0);
    const copy = new UserProfiles(options);
    copy.restore(profiles.snapshot());
    expect(copy.context('u', 'b', T0 + DAY, [])).toEqual(profiles.context('u', 'b', T0 + DAY, []));
    const old = new UserProfiles(options);
    old.restore([{ id: 'u', recent: [{ item: 'x', ts: T0 }], categories: [['c', 2]], purchased: [], lastSeen: T0, lastIngestedAt: 0 }]);
    expect(old.context('u', 'b', T0, [])).toEqual({ items: [{ item: 'x', weight: 1 }], categories: new Map([['c', 1]]) });
  });

  it('evicts the least recently active user beyond capacity', () => {
    const profiles = new UserProfiles({ ...options, maxUsers: 2 });
    profiles.observe(event({ user_id: 'u1' }), 0);
    profiles.observe(event({ user_id: 'u2' }), 0);
    profiles.observe(event({ user_id: 'u1' }), 0);
    profiles.observe(event({ user_id: 'u3' }), 0);
    expect(profiles.get('u2')).toBeUndefined();
    expect(profiles.get('u1')).toBeDefined();
  });
});

describe('CandidateState.withProfile', () => {
  /** Shoppers who view P then go on to Q; a returning user viewed P on their phone yesterday. */
  function trained(profiles: boolean): CandidateState {
    const state = new CandidateState({ ...CANDIDATES, profiles, excludeCurrentItem: false });
    for (let s = 0; s < 30; s += 1) {
      const first = event({ session_id: `s${s}`, item_id: 'P', ts: T0 + s });
      state.observe(first, emptyRequest(first.ts, first.session_id), 0);
      const second = event({ session_id: `s${s}`, item_id: 'Q', ts: T0 + s + 1 });
      state.observe(second, { ...emptyRequest(second.ts, second.session_id), sequence: ['P'] }, 0);
    }
    // Six items more popular than Q fill an anonymous list of five.
    for (let s = 0; s < 240; s += 1) {
      const other = event({ session_id: `t${s}`, item_id: `T${s % 6}`, ts: T0 + 100 + s });
      state.observe(other, emptyRequest(other.ts, other.session_id), 0);
    }
    const phone = event({ user_id: 'u', session_id: 'phone', item_id: 'P', ts: T0 + 400 });
    state.observe(phone, emptyRequest(phone.ts, phone.session_id), 0);
    state.commitBatch();
    return state;
  }

  it('makes a returning shopper’s first list on a new device follow what they did on the other one', () => {
    const state = trained(true);
    const laptop = state.withProfile(emptyRequest(T0 + DAY, 'laptop'), 'u');
    expect(laptop.profile?.items.map((entry) => entry.item)).toEqual(['P']);
    const items = state.recommender.recommend(laptop, 5).map((entry) => entry.item_id);
    expect(items.slice(0, 2)).toContain('Q');
    expect(state.recommender.recommend(laptop, 5).find((entry) => entry.item_id === 'Q')?.source).toBe('profile');
    // Anonymous, or with profiles off, the same empty session only gets what is trending.
    expect(state.recommender.recommend(state.withProfile(emptyRequest(T0 + DAY, 'laptop'), undefined), 5).map((entry) => entry.item_id)).not.toContain('Q');
    const off = trained(false);
    expect(off.withProfile(emptyRequest(T0 + DAY, 'laptop'), 'u').profile).toBeUndefined();
  });
});
