import { describe, expect, it } from 'vitest';
import { NewItems } from '../../../src/domain/new-items.ts';

const T0 = Date.UTC(2026, 0, 12);
const HOUR = 3_600_000;

describe('NewItems', () => {
  it('counts an item as new until its window passes or it has enough interactions', () => {
    const items = new NewItems({ maxItems: 100, windowMs: 24 * HOUR, maxInteractions: 3 });
    items.observe('a', 'c1', T0);
    expect(items.isNew('a', T0 + HOUR)).toBe(true);
    expect(items.firstSeen('a')).toBe(T0);
    expect(items.isNew('a', T0 + 24 * HOUR)).toBe(false);
    items.observe('a', 'c1', T0 + HOUR);
    expect(items.isNew('a', T0 + 2 * HOUR)).toBe(true);
    items.observe('a', 'c1', T0 + 2 * HOUR);
    expect(items.isNew('a', T0 + 3 * HOUR)).toBe(false);
    expect(items.isNew('unknown', T0)).toBe(false);
  });

  it('lists the newest items of a category and of all, newest first, and takes announced items with no interactions', () => {
    const items = new NewItems({ maxItems: 100, windowMs: 24 * HOUR, maxInteractions: 2 });
    items.observe('a', 'c1', T0);
    items.observe('b', 'c2', T0 + 1);
    items.announce('c', 'c1', T0 + 2);
    items.observe('d', null, T0 + 3);
    items.observe('a', 'c1', T0 + 4);
    expect(items.newest('c1', T0 + 10, 5)).toEqual(['c']);
    expect(items.newest(null, T0 + 10, 5)).toEqual(['d', 'c', 'b']);
    expect(items.newest(null, T0 + 10, 2)).toEqual(['d', 'c']);
    // An item seen again later with its category joins that category's list (while still new).
    const later = new NewItems({ maxItems: 100, windowMs: 24 * HOUR, maxInteractions: 3 });
    later.observe('b', 'c2', T0);
    later.observe('d', null, T0 + 1);
    later.observe('d', 'c2', T0 + 5);
    expect(later.newest('c2', T0 + 10, 5)).toEqual(['d', 'b']);
    // Announcing a known item changes nothing.
    items.announce('b', 'c1', T0 + 6);
    expect(items.firstSeen('b')).toBe(T0 + 1);
  });

  it('forgets the earliest seen items beyond its bound, and restores from a snapshot', () => {
    const items = new NewItems({ maxItems: 3, windowMs: 24 * HOUR, maxInteractions: 5 });
    for (const [n, item] of ['a', 'b', 'c', 'd'].entries()) items.observe(item, 'c1', T0 + n);
    expect(items.size).toBe(3);
    expect(items.firstSeen('a')).toBeUndefined();
    expect(items.newest('c1', T0 + 10, 5)).toEqual(['d', 'c', 'b']);
    const copy = new NewItems({ maxItems: 3, windowMs: 24 * HOUR, maxInteractions: 5 });
    copy.restore(items.snapshot());
    expect(copy.newest('c1', T0 + 10, 5)).toEqual(['d', 'c', 'b']);
    expect(copy.firstSeen('c')).toBe(T0 + 2);
  });
});
