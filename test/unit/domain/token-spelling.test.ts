import { describe, expect, it } from 'vitest';
import { QueryIntent } from '../../../src/domain/query-intent.ts';
import { TokenSpelling } from '../../../src/domain/token-spelling.ts';

describe('TokenSpelling', () => {
  it('finds known tokens one letter wrong, missing, extra or swapped away, and forgets removed ones', () => {
    const spelling = new TokenSpelling();
    for (const token of ['battlefield', 'headphones', 'watch', 'xbox']) spelling.add(token);
    expect(spelling.near('nattlefield')).toEqual(['battlefield']);
    expect(spelling.near('battlefiel')).toEqual(['battlefield']);
    expect(spelling.near('headphoness')).toEqual(['headphones']);
    expect(spelling.near('haedphones')).toEqual(['headphones']);
    expect(spelling.near('wacth')).toEqual(['watch']);
    expect(spelling.near('battlefield')).toEqual([]);
    expect(spelling.near('bttlefeld')).toEqual([]);
    // Short tokens have too many neighbours to guess from.
    expect(spelling.near('xbo')).toEqual([]);
    spelling.remove('watch');
    expect(spelling.near('wacth')).toEqual([]);
  });
});

describe('QueryIntent with misspelt words', () => {
  it('serves an unseen query whose only word is a typo from the known word’s list', () => {
    const intent = new QueryIntent({ maxKeys: 100, itemsPerKey: 10, halfLifeMs: 3_600_000 });
    intent.observe({ text: 'headphones', ts: 0, steps: 0 }, 'sony-h1', null, 1, 0);
    expect(intent.predict('haedphones', 5)).toMatchObject({ basis: 'tokens', items: [{ item: 'sony-h1' }] });
    expect(intent.predict('blender', 5).basis).toBe('none');
  });
});
