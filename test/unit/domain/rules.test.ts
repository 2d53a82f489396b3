import { describe, expect, it } from 'vitest';
import { checkRule, decodeRuleChange } from '../../../src/domain/decode.ts';
import type { FeedItem } from '../../../src/domain/feed.ts';
import type { RecommendRequest } from '../../../src/domain/recommender/recommender.ts';
import { RuleSet, type Rule } from '../../../src/domain/rules.ts';

const NOW = Date.UTC(2026, 4, 1, 12);
const list: FeedItem[] = ['a', 'b', 'c', 'd', 'e'].map((item, i) => ({ item_id: item, score: 5 - i, source: 'covisit' }));
const CATEGORY: Record<string, string> = { a: 'shoes', b: 'shoes', c: 'bags', d: 'bags', e: 'hats', promo: 'bags' };
const request = (overrides: Partial<RecommendRequest> = {}): RecommendRequest => ({ sequence: ['x'], categories: new Map([['bags', 3]]), purchased: new Map(), now: NOW, ...overrides });
const rank = (rules: readonly Rule[], n = 4, req = request(), now = NOW): FeedItem[] => {
  const set = new RuleSet();
  for (const rule of rules) set.apply({ kind: 'upsert', rule });
  return set.rank(list, req, n, now, (item) => CATEGORY[item], () => true);
};
const ids = (items: readonly FeedItem[]): string[] => items.map((item) => item.item_id);

describe('RuleSet', () => {
  it('excludes items and categories, and fills the list from further down the ranking', () => {
    expect(ids(rank([{ id: 'r1', action: 'exclude', item_id: 'b' }]))).toEqual(['a', 'c', 'd', 'e']);
    expect(ids(rank([{ id: 'r1', action: 'exclude', category_id: 'shoes' }]))).toEqual(['c', 'd', 'e']);
  });

  it('boosts and buries by a score change', () => {
    expect(ids(rank([{ id: 'r1', action: 'boost', item_id: 'e', weight: 3.5 }]))).toEqual(['a', 'e', 'b', 'c']);
    expect(ids(rank([{ id: 'r1', action: 'bury', category_id: 'shoes', weight: 10 }], 5))).toEqual(['c', 'd', 'e', 'a', 'b']);
  });

  it('pins and promotes items at their places with a promoted reason, even ones the ranker did not pick', () => {
    const items = rank([
      { id: 'spring', action: 'promote', item_id: 'promo', position: 2, label: 'Spring sale: 20 % off', coupon: 'SPRING20' },
      { id: 'top', action: 'pin', item_id: 'd', position: 1 },
    ]);
    expect(ids(items)).toEqual(['d', 'promo', 'a', 'b']);
    expect(items[1]).toMatchObject({ source: 'rule', reason: { type: 'promoted', evidence: { rule_id: 'spring', coupon: 'SPRING20' }, text: 'Spring sale: 20 % off' } });
    expect(items[0]?.reason).toMatchObject({ type: 'promoted', evidence: { rule_id: 'top', position: 1 } });
  });

  it('applies a rule only inside its time window and to its segment', () => {
    const later: Rule = { id: 'w', action: 'pin', item_id: 'e', starts_ms: NOW + 1000 };
    expect(ids(rank([later]))[0]).toBe('a');
    expect(ids(rank([later], 4, request(), NOW + 1000))[0]).toBe('e');
    const bagsFans: Rule = { id: 's', action: 'pin', item_id: 'e', segment: { categories: ['bags'], users: 'known' } };
    expect(ids(rank([bagsFans], 4, request({ user: 'u1' })))[0]).toBe('e');
    expect(ids(rank([bagsFans], 4, request()))[0]).toBe('a');
    expect(ids(rank([bagsFans], 4, request({ user: 'u1', categories: new Map([['shoes', 1]]) })))[0]).toBe('a');
  });

  it('reports what is excluded for everyone now, and forgets a deleted rule', () => {
    const set = new RuleSet();
    set.apply({ kind: 'upsert', rule: { id: 'x', action: 'exclude', item_id: 'b' } });
    set.apply({ kind: 'upsert', rule: { id: 'y', action: 'exclude', category_id: 'hats', ends_ms: NOW } });
    set.apply({ kind: 'upsert', rule: { id: 'z', action: 'exclude', item_id: 'c', segment: { users: 'known' } } });
    expect(set.excludedNow(NOW - 1)).toEqual({ items: new Set(['b']), categories: new Set(['hats']) });
    expect(set.excludedNow(NOW)).toEqual({ items: new Set(['b']), categories: new Set() });
    set.apply({ kind: 'delete', id: 'x' });
    expect(set.excludedNow(NOW).items.size).toBe(0);
  });
});

describe('rule records', () => {
  const record = (value: string | null, key: string | null = 'r1') => ({ origin: { topic: 'rules', partition: 0, offset: '1' }, key, value: value === null ? null : Buffer.from(value), receivedAt: 0 });
  const options = { maxBytes: 10_000, payloadBytes: 1000 };

  it('reads a rule, a tombstone as a deletion, and dead-letters the rest with the reason', () => {
    expect(decodeRuleChange(record('{"id":"r1","action":"exclude","item_id":"b"}'), options)).toEqual({ ok: true, value: { kind: 'upsert', rule: { id: 'r1', action: 'exclude', item_id: 'b' } } });
    expect(decodeRuleChange(record(null), options)).toEqual({ ok: true, value: { kind: 'delete', id: 'r1' } });
    const pinWithoutItem = decodeRuleChange(record('{"id":"r2","action":"pin","category_id":"bags"}'), options);
    expect(pinWithoutItem.ok ? null : pinWithoutItem.deadLetter.reason).toBe('REC_SCHEMA');
    const nothing = decodeRuleChange(record('{"id":"r3","action":"boost"}'), options);
    expect(nothing.ok).toBe(false);
    expect(checkRule({ id: 'r', action: 'teleport', item_id: 'a' })).toMatchObject({ ok: false });
  });
});
