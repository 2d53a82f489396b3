import { describe, expect, it } from 'vitest';
import { attackTarget, botClicks } from '../../../src/eval/bots.ts';

describe('attackTarget', () => {
  const counts = new Map<string, number>([
    ['a', 1],
    ['b', 5],
    ['c', 3],
    ['d', 2],
    ['e', 9],
  ]);

  it('takes the median item by count (ties by id)', () => {
    expect(attackTarget(counts)).toBe('c');
    expect(attackTarget(new Map([['x', 1], ['y', 1], ['z', 1]]))).toBe('y');
  });

  it('with categories, takes the median of the items in categories of at least 20 items, and all items when none is that crowded', () => {
    const categories = new Map<string, string>([['a', 'small'], ['b', 'small'], ['c', 'small'], ['d', 'big'], ['e', 'big']]);
    const crowded = new Map(counts);
    for (let i = 0; i < 18; i += 1) {
      crowded.set(`f${i}`, 4);
      categories.set(`f${i}`, 'big');
    }
    // 'big' holds d (2), e (9) and 18 items of count 4: its median item has count 4, not small's c (3).
    expect(crowded.get(attackTarget(crowded, categories))).toBe(4);
    expect(categories.get(attackTarget(crowded, categories))).toBe('big');
    expect(attackTarget(counts, categories)).toBe('c');
  });
});

describe('botClicks', () => {
  it('gives every bot its clicks on the target within the window, in event-time order, with the category when known', () => {
    const events = botClicks({ bots: 2, clicksPerBot: 3, windowMs: 600, at: 0.5 }, 'item', 'cat', 1000);
    expect(events).toHaveLength(6);
    expect(events.every((e) => e.item_id === 'item' && e.category_id === 'cat' && e.type === 'click')).toBe(true);
    expect(events.map((e) => e.ts)).toEqual([...events.map((e) => e.ts)].sort((a, b) => a - b));
    expect(Math.max(...events.map((e) => e.ts)) - 1000).toBeLessThan(600);
    expect(new Set(events.map((e) => e.session_id)).size).toBe(2);
  });
});
