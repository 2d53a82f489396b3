import { describe, expect, it } from 'vitest';
import type { BehaviourEvent } from '../../../src/domain/event.ts';
import { SessionState, type SessionLimits } from '../../../src/domain/session-state.ts';
import { DAY, HOUR, MINUTE, T0, event } from '../helpers/events.ts';

const LIMITS: SessionLimits = { lastItems: 20, maxEventsPerSession: 100 };

function sessionOf(events: readonly BehaviourEvent[], limits: SessionLimits = LIMITS): SessionState {
  const session = new SessionState('s-1', 2, events[0]?.ts ?? T0);
  events.forEach((e, i) => session.apply(e, limits, 1000 + i));
  return session;
}

describe('SessionState.features', () => {
  const NOW = T0 + 2 * DAY;
  // One event just inside and one just outside each window edge (windows include their edge).
  const events = [
    event({ ts: NOW - DAY - 1, type: 'view', item_id: 'a', category_id: 'old' }),
    event({ ts: NOW - DAY, type: 'view', item_id: 'b', category_id: 'c24' }),
    event({ ts: NOW - HOUR - 1, type: 'click', item_id: 'c', category_id: 'c24' }),
    event({ ts: NOW - HOUR, type: 'add_to_cart', item_id: 'd', category_id: 'c1h' }),
    event({ ts: NOW - 5 * MINUTE - 1, type: 'view', item_id: 'e', category_id: 'c1h' }),
    event({ ts: NOW - 5 * MINUTE, type: 'view', item_id: 'f', category_id: 'c5' }),
    event({ ts: NOW, type: 'search', query: 'shoes' }),
  ];

  it('counts event types in the 5 m / 1 h / 24 h windows relative to the last event time', () => {
    const features = sessionOf(events).features(LIMITS);
    expect(features.counts_5m).toEqual({ view: 1, search: 1 });
    expect(features.counts_1h).toEqual({ add_to_cart: 1, view: 2, search: 1 });
    expect(features.counts_24h).toEqual({ view: 3, click: 1, add_to_cart: 1, search: 1 });
  });

  it('counts categories in the same windows, ignoring events without one', () => {
    const features = sessionOf(events).features(LIMITS);
    expect(features.categories_5m).toEqual({ c5: 1 });
    expect(features.categories_1h).toEqual({ c1h: 2, c5: 1 });
    expect(features.categories_24h).toEqual({ c24: 2, c1h: 2, c5: 1 });
  });

  it('measures windows from the newest event time even when events arrive out of order', () => {
    const shuffled = [events[6], events[0], events[3], events[5], events[1], events[4], events[2]].filter((e) => e !== undefined);
    const features = sessionOf(shuffled).features(LIMITS);
    expect(features.counts_5m).toEqual({ view: 1, search: 1 });
    expect(features.counts_24h).toEqual({ view: 3, click: 1, add_to_cart: 1, search: 1 });
    expect(features.first_seen).toBe(NOW - DAY - 1);
    expect(features.last_seen).toBe(NOW);
  });

  it('reports identity, span and count', () => {
    const withUser = [...events.slice(0, 2), event({ ts: NOW, user_id: 'u-9', item_id: 'z' })];
    const features = sessionOf(withUser).features(LIMITS);
    expect(features).toMatchObject({ session_id: 's-1', user_id: 'u-9', partition: 2, first_seen: NOW - DAY - 1, last_seen: NOW, event_count: 3 });
    expect(sessionOf(events.slice(0, 1)).features(LIMITS).user_id).toBeNull();
  });

  it('lists last items newest last, distinct, bounded by lastItems', () => {
    const items = ['a', 'b', 'a', 'c', 'd', 'c', 'e'];
    const session = sessionOf(items.map((item, i) => event({ ts: T0 + i, item_id: item })));
    expect(session.features(LIMITS).last_items).toEqual(['b', 'a', 'd', 'c', 'e']);
    expect(session.features({ ...LIMITS, lastItems: 3 }).last_items).toEqual(['d', 'c', 'e']);
  });

  it('keeps at most maxEventsPerSession events, dropping the oldest, while event_count counts all', () => {
    const limits = { lastItems: 20, maxEventsPerSession: 3 };
    const session = sessionOf(
      ['a', 'b', 'c', 'd', 'e'].map((item, i) => event({ ts: T0 + i * MINUTE, item_id: item, category_id: `k${i}` })),
      limits,
    );
    expect(session.history.map((e) => e.item)).toEqual(['c', 'd', 'e']);
    const features = session.features(limits);
    expect(features.event_count).toBe(5);
    expect(features.counts_24h).toEqual({ view: 3 });
    expect(features.categories_24h).toEqual({ k2: 1, k3: 1, k4: 1 });
    expect(features.last_items).toEqual(['c', 'd', 'e']);
  });

  it('remembers purchased items with their purchase time', () => {
    const session = sessionOf([
      event({ ts: T0, type: 'view', item_id: 'a' }),
      event({ ts: T0 + 1, type: 'purchase', item_id: 'a' }),
      event({ ts: T0 + 2, type: 'add_to_cart', item_id: 'b' }),
      event({ ts: T0 + 3, type: 'purchase', item_id: 'c' }),
      event({ ts: T0 + 4, type: 'purchase', item_id: 'a' }),
    ]);
    expect([...session.purchased]).toEqual([
      ['a', T0 + 4],
      ['c', T0 + 3],
    ]);
    expect(session.lastIngestedAt).toBe(1004);
  });
});

describe('SessionState: the active search', () => {
  const search = (ts: number, query: string): BehaviourEvent => ({ event_id: `q-${ts}`, type: 'search', query, ts, session_id: 's-1' });

  it('puts the newest search into the request, normalised, with the item events since it', () => {
    const session = sessionOf([event({ ts: T0, item_id: 'a' }), search(T0 + MINUTE, 'Smart  Watch'), event({ ts: T0 + 2 * MINUTE, item_id: 'w1' }), event({ ts: T0 + 3 * MINUTE, item_id: 'w2' })]);
    expect(session.request().query).toEqual({ text: 'smart watch', ts: T0 + MINUTE, steps: 2 });
    // As of before the search, there was none.
    expect(session.request(T0).query).toBeUndefined();
  });

  it('is replaced by a newer search and expires after 30 minutes', () => {
    const session = sessionOf([search(T0, 'tv'), search(T0 + MINUTE, 'hdmi cable')]);
    expect(session.request().query?.text).toBe('hdmi cable');
    session.apply(event({ ts: T0 + 32 * MINUTE, item_id: 'x' }), LIMITS, 0);
    expect(session.request().query).toBeUndefined();
  });

  it('survives a snapshot and restore', () => {
    const session = sessionOf([search(T0, 'red dress'), event({ ts: T0 + MINUTE, item_id: 'd1' })]);
    expect(SessionState.restore(session.snapshot(), 2).request().query).toEqual(session.request().query);
  });

  it('keeps a basket of carted (not taken out) and bought items, newest first, with the item events since each', () => {
    const session = sessionOf([
      event({ type: 'add_to_cart', item_id: 'phone', ts: T0 }),
      event({ type: 'add_to_cart', item_id: 'mug', ts: T0 + MINUTE }),
      event({ type: 'view', item_id: 'case', ts: T0 + 2 * MINUTE }),
      event({ type: 'remove_from_cart', item_id: 'mug', ts: T0 + 3 * MINUTE }),
      event({ type: 'purchase', item_id: 'cable', ts: T0 + 4 * MINUTE }),
      event({ type: 'view', item_id: 'case', ts: T0 + 5 * MINUTE }),
    ]);
    expect(session.request().basket).toEqual([
      { item: 'cable', steps: 1 },
      { item: 'phone', steps: 5 },
    ]);
    // As of an earlier time, only what was in the basket then.
    expect(session.request(T0 + MINUTE).basket).toEqual([
      { item: 'mug', steps: 0 },
      { item: 'phone', steps: 1 },
    ]);
    expect(sessionOf([event({ type: 'view', item_id: 'a' })]).request().basket).toBeUndefined();
  });
});
