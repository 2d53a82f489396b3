import { describe, expect, it } from 'vitest';
import { categoryAffinity } from '../../../../src/domain/recommender/affinity.ts';

describe('categoryAffinity', () => {
  it('weights newer events more, by a constant factor per step back; events without a category only age the rest', () => {
    const step = categoryAffinity([{ category: 'old' }, { category: 'new' }]);
    expect(step.get('new')).toBe(1);
    const r = step.get('old') ?? Number.NaN;
    expect(r).toBeGreaterThan(0);
    expect(r).toBeLessThan(1);
    const affinity = categoryAffinity([{ category: 'a' }, { category: 'b' }, { category: null }, { category: 'a' }]);
    expect(affinity.get('a')).toBeCloseTo(1 + r ** 3, 12);
    expect(affinity.get('b')).toBeCloseTo(r ** 2, 12);
    expect([...affinity.keys()].sort()).toEqual(['a', 'b']);
  });

  it('ignores events so old their weight is negligible', () => {
    const events = [{ category: 'ancient' }, ...Array.from({ length: 20 }, () => ({ category: 'now' }))];
    expect(categoryAffinity(events).has('ancient')).toBe(false);
    expect(categoryAffinity([])).toEqual(new Map());
  });
});
