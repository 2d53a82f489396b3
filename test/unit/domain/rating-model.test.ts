import { describe, expect, it } from 'vitest';
import { RatingModel } from '../../../src/domain/rating-model.ts';
import { cfEval, plantedRatings } from '../../../src/eval/ratings.ts';

const OPTIONS = { dim: 8, learningRate: 0.01, factorLearningRate: 0.2, regularization: 0.02, maxUsers: 1000, maxItems: 1000 };

describe('RatingModel', () => {
  it('recovers planted user and item biases within ±0.1 in one pass, and beats the bias-only model', () => {
    const planted = plantedRatings({ users: 300, items: 300, ratingsPerUser: 300, dim: 4, seed: 1 });
    const report = cfEval(planted, OPTIONS);
    expect(report.ratings).toBe(90_000);
    expect(report.userBias.max).toBeLessThanOrEqual(0.1);
    expect(report.itemBias.max).toBeLessThanOrEqual(0.1);
    expect(report.rmse.cf).toBeLessThan(report.rmse.biasOnly - 0.03);
    expect(report.rmse.biasOnly).toBeLessThan(report.rmse.mean - 0.1);
  });

  it('predicts before it learns (prequential), and falls back to the mean and known biases for strangers', () => {
    const model = new RatingModel(OPTIONS);
    expect(Number.isNaN(model.rmse)).toBe(true);
    for (let k = 0; k < 50; k += 1) {
      model.observe('generous', `i${k}`, 5);
      model.observe('harsh', `i${k}`, 1);
    }
    expect(model.globalMean).toBeCloseTo(3, 6);
    expect(model.predict('generous', 'new-item')).toBeGreaterThan(4);
    expect(model.predict('harsh', 'new-item')).toBeLessThan(2);
    expect(model.predict('stranger', 'new-item')).toBeCloseTo(3, 6);
    expect(model.rmse).toBeGreaterThan(0);
  });

  it('ranks a rater’s unrated items by predicted rating, and restores to the same predictions', () => {
    const model = new RatingModel({ ...OPTIONS, dim: 0 });
    for (let u = 0; u < 20; u += 1) {
      model.observe(`u${u}`, 'loved', 5);
      model.observe(`u${u}`, 'meh', 3);
      model.observe(`u${u}`, 'hated', 1);
    }
    model.observe('me', 'other', 2);
    expect(model.top('me', 2).map((entry) => entry.item)).toEqual(['loved', 'meh']);
    expect(model.top('me', 3, new Set(['loved'])).map((entry) => entry.item)).toEqual(['meh', 'other', 'hated']);
    expect(model.top('nobody', 3)).toEqual([]);
    const copy = new RatingModel({ ...OPTIONS, dim: 0 });
    copy.restore(model.snapshot());
    expect(copy.predict('me', 'loved')).toBe(model.predict('me', 'loved'));
    expect(copy.rmse).toBe(model.rmse);
  });
});
