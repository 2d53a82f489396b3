import { describe, expect, it } from 'vitest';
import { addScores, NO_SCORE, scoreStep } from '../../../src/domain/served-evaluation.ts';

describe('scoreStep', () => {
  const served = ['a', 'b', 'c', 'd'];

  it('counts a hit with 1/rank when the next item was on the list', () => {
    expect(scoreStep(served, 'x', 'c')).toEqual({ predictions: 1, hits: 1, reciprocalRankSum: 1 / 3 });
  });

  it('counts a miss when the item was not on the list, or below the cut-off', () => {
    expect(scoreStep(served, 'x', 'z')).toEqual({ predictions: 1, hits: 0, reciprocalRankSum: 0 });
    expect(scoreStep(served, 'x', 'd', 3)).toEqual({ predictions: 1, hits: 0, reciprocalRankSum: 0 });
  });

  it('scores nothing without a served list, an item, or a change of item', () => {
    expect(scoreStep([], 'x', 'a')).toBeNull();
    expect(scoreStep(served, 'x', undefined)).toBeNull();
    expect(scoreStep(served, 'a', 'a')).toBeNull();
  });

  it('adds scores field by field', () => {
    expect(addScores(addScores(NO_SCORE, { predictions: 1, hits: 1, reciprocalRankSum: 0.5 }), { predictions: 2, hits: 0, reciprocalRankSum: 0 })).toEqual({
      predictions: 3,
      hits: 1,
      reciprocalRankSum: 0.5,
    });
  });
});
