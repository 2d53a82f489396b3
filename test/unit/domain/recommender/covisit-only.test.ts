import { describe, expect, it } from 'vitest';
import { Covisitation } from '../../../../src/domain/covisitation.ts';
import { covisitOnly } from '../../../../src/domain/recommender/covisit-only.ts';
import { Trending } from '../../../../src/domain/trending.ts';

const T = Date.UTC(2026, 0, 1);
const options = { covisitNeighbours: 10, purchasedHideMs: 3_600_000, excludeCurrentItem: true };

describe('covisitOnly (the A/B baseline arm)', () => {
  it('ranks neighbours of the recent items, newest item first, excludes the current item and recent purchases, pads with trending', () => {
    const covisit = new Covisitation({ neighbours: 10, window: 5, halfLifeMs: 3_600_000, maxItems: 100 });
    covisit.observe('after-b', ['b'], T);
    covisit.observe('after-a', ['a'], T);
    covisit.observe('bought', ['b'], T);
    const trending = new Trending({ halfLifeMs: 3_600_000, maxItems: 100, topK: 10 });
    for (const item of ['hot', 'b', 'after-b']) trending.observe(item, null, 1, T);
    trending.refresh();
    const list = covisitOnly({ sequence: ['a', 'b'], categories: new Map(), purchased: new Map([['bought', T]]), now: T + 1000 }, covisit, trending, 4, options);
    expect(list.map((item) => item.item_id)).toEqual(['after-b', 'after-a', 'hot']);
    expect(list.map((item) => item.source)).toEqual(['covisit', 'covisit', 'trending']);
  });
});
