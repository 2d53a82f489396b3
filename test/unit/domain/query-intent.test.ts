import { describe, expect, it } from 'vitest';
import { normalizeQuery, QueryIntent, queryTokens, type ActiveQuery } from '../../../src/domain/query-intent.ts';
import { DAY, T0 } from '../helpers/events.ts';

const options = { maxKeys: 100, itemsPerKey: 10, halfLifeMs: 7 * DAY };
const searched = (text: string, steps = 0): ActiveQuery => ({ text: normalizeQuery(text), ts: T0, steps });

describe('normalizeQuery', () => {
  it('folds case, accents, punctuation and spacing into one key', () => {
    expect(normalizeQuery('  Smart-Watch ')).toBe('smart watch');
    expect(normalizeQuery('Café  CRÈME!')).toBe('cafe creme');
    expect(normalizeQuery('Kuching, Malaysia')).toBe('kuching malaysia');
    expect(normalizeQuery('***')).toBe('');
  });

  it('keeps tokens of two characters or more, once each', () => {
    expect(queryTokens('a tv tv 4k x')).toEqual(['tv', '4k']);
  });
});

describe('QueryIntent', () => {
  it('predicts the items shoppers took after the very query, best first', () => {
    const intent = new QueryIntent(options);
    for (let i = 0; i < 3; i += 1) intent.observe(searched('smart watch'), 'watch-a', 'watches', 1, T0);
    intent.observe(searched('smart watch'), 'watch-b', 'watches', 1, T0);
    intent.observe(searched('usb cable'), 'cable-1', 'cables', 1, T0);
    const prediction = intent.predict('smart watch', 10);
    expect(prediction.basis).toBe('query');
    expect(prediction.items.map((entry) => entry.item).slice(0, 2)).toEqual(['watch-a', 'watch-b']);
    expect(prediction.items.some((entry) => entry.item === 'cable-1')).toBe(false);
    expect(prediction.categories.get('watches')).toBeCloseTo(1, 6);
  });

  it('serves an unseen query from its known tokens', () => {
    const intent = new QueryIntent(options);
    intent.observe(searched('smart watch'), 'watch-a', 'watches', 1, T0);
    intent.observe(searched('garmin watch'), 'watch-g', 'watches', 1, T0);
    intent.observe(searched('smart phone'), 'phone-1', 'phones', 1, T0);
    const prediction = intent.predict(normalizeQuery('Watch strap'), 10);
    expect(prediction.basis).toBe('tokens');
    expect(new Set(prediction.items.map((entry) => entry.item))).toEqual(new Set(['watch-a', 'watch-g']));
    expect(intent.predict('fridge', 10)).toEqual({ items: [], categories: new Map(), basis: 'none' });
  });

  it('counts later items after one search for less than the first', () => {
    const intent = new QueryIntent(options);
    intent.observe(searched('tv', 0), 'first', null, 1, T0);
    intent.observe(searched('tv', 3), 'fourth', null, 1, T0);
    const [first, fourth] = intent.predict('tv', 10).items;
    expect(first?.item).toBe('first');
    expect(fourth?.score ?? 1).toBeCloseTo((first?.score ?? 0) * 0.7 ** 3, 6);
  });

  it('lets newer behaviour win as counts decay in event time', () => {
    const intent = new QueryIntent(options);
    for (let i = 0; i < 3; i += 1) intent.observe(searched('boots'), 'old-boot', null, 1, T0);
    intent.observe({ ...searched('boots'), ts: T0 + 30 * DAY }, 'new-boot', null, 1, T0 + 30 * DAY);
    expect(intent.predict('boots', 1).items[0]?.item).toBe('new-boot');
  });

  it('stays within its bounds: least recently used keys go, a new item replaces the weakest', () => {
    const intent = new QueryIntent({ ...options, maxKeys: 2, itemsPerKey: 2 });
    intent.observe(searched('one'), 'x', null, 1, T0);
    intent.observe(searched('two'), 'y', null, 1, T0);
    intent.observe(searched('one'), 'x', null, 1, T0);
    intent.observe(searched('three'), 'z', null, 1, T0);
    expect(intent.size).toEqual({ queries: 2, tokens: 2 });
    expect(intent.predict('one', 10).basis).toBe('query');
    expect(intent.predict('two', 10).basis).toBe('none');
    intent.observe(searched('one'), 'w', null, 5, T0);
    intent.observe(searched('one'), 'v', null, 1, T0);
    expect(intent.predict('one', 10).items.map((entry) => entry.item)).toEqual(['w', 'v']);
  });

  it('hands over the lists of the queries and tokens learned from since the last call, once', () => {
    const intent = new QueryIntent(options);
    intent.observe(searched('smart watch'), 'w1', 'watches', 3, T0);
    intent.observe(searched('smart watch'), 'w2', 'watches', 1, T0);
    const lists = new Map(intent.takeTouched(10).map((entry) => [entry.key, entry.list]));
    expect([...lists.keys()].sort()).toEqual(['q:smart watch', 't:smart', 't:watch']);
    expect(lists.get('q:smart watch')).toEqual({ items: [['w1', 0.75], ['w2', 0.25]], categories: [['watches', 1]] });
    expect(lists.get('t:watch')?.items.map(([item]) => item)).toEqual(['w1', 'w2']);
    expect(intent.takeTouched(10)).toEqual([]);
  });

  it('restores a snapshot to the same predictions', () => {
    const intent = new QueryIntent(options);
    intent.observe(searched('red dress'), 'd1', 'dresses', 3, T0);
    intent.observe(searched('red shoes', 1), 's1', 'shoes', 1, T0 + DAY);
    const copy = new QueryIntent(options);
    copy.restore(JSON.parse(JSON.stringify(intent.snapshot())) as ReturnType<QueryIntent['snapshot']>);
    for (const query of ['red dress', 'red', 'red shoes', 'blue shoes']) expect(copy.predict(query, 5)).toEqual(intent.predict(query, 5));
  });

  it('answers a smaller k with the top of the same ranking, and sees every new observation', () => {
    const intent = new QueryIntent(options);
    for (const [item, weight] of [['a', 5], ['b', 4], ['c', 3], ['d', 2]] as const) intent.observe(searched('lamp'), item, null, weight, T0);
    const top4 = intent.predict('lamp', 4).items.map((entry) => entry.item);
    expect(intent.predict('lamp', 2).items.map((entry) => entry.item)).toEqual(top4.slice(0, 2));
    intent.observe(searched('lamp'), 'd', null, 20, T0);
    expect(intent.predict('lamp', 1).items[0]?.item).toBe('d');
  });
});
