import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Covisitation, type CovisitationOptions } from '../../../src/domain/covisitation.ts';
import { DAY, HOUR, T0 } from '../helpers/events.ts';

/** A half-life so long that weights at nearby times are exactly 1: counts are plain sums. */
const NO_DECAY = 1e15;
const options = (overrides: Partial<CovisitationOptions> = {}): CovisitationOptions => ({
  neighbours: 10,
  window: 5,
  halfLifeMs: NO_DECAY,
  maxItems: 1000,
  ...overrides,
});
const ranked = (covisit: Covisitation, item: string): [string, number][] =>
  covisit.neighbours(item, 100).map((n) => [n.item, n.score]);

describe('Covisitation', () => {
  it('weights a pair by 1/d for the distance d, and the backward direction by half', () => {
    const covisit = new Covisitation(options());
    covisit.observe('d', ['c', 'b', 'a'], T0);
    expect(ranked(covisit, 'c')).toEqual([['d', 1]]);
    expect(ranked(covisit, 'b')).toEqual([['d', 1 / 2]]);
    // Scores are float32: 1/3 is stored as its nearest float32.
    expect(ranked(covisit, 'a')).toEqual([['d', Math.fround(1 / 3)]]);
    expect(ranked(covisit, 'd')).toEqual([
      ['c', 1 / 2],
      ['b', 1 / 4],
      ['a', Math.fround(1 / 6)],
    ]);
  });

  it('ranks neighbours by accumulated co-occurrence, forward transitions above backward ones', () => {
    const covisit = new Covisitation(options());
    for (let i = 0; i < 3; i += 1) covisit.observe('b', ['a'], T0);
    covisit.observe('c', ['a'], T0);
    // x came before a once (backward for a), y after a... once, but at distance 2.
    covisit.observe('a', ['x'], T0);
    covisit.observe('y', ['z', 'a'], T0);
    expect(ranked(covisit, 'a')).toEqual([
      ['b', 3],
      ['c', 1],
      ['x', 0.5],
      ['y', 0.5],
    ]);
    covisit.observe('n', ['b'], T0);
    expect(covisit.neighbours('b', 2).map((n) => n.item)).toEqual(['a', 'n']);
    expect(ranked(covisit, 'b')).toEqual([
      ['a', 1.5],
      ['n', 1],
    ]);
  });

  it('pairs only with the `window` newest previous items and never with itself', () => {
    const covisit = new Covisitation(options({ window: 2 }));
    covisit.observe('d', ['c', 'd', 'b', 'a'], T0);
    expect(ranked(covisit, 'c')).toEqual([['d', 1]]);
    expect(ranked(covisit, 'd')).toEqual([['c', 0.5]]);
    expect(covisit.neighbours('b', 5)).toEqual([]);
    expect(covisit.neighbours('a', 5)).toEqual([]);
  });

  it('returns at most k neighbours, best first', () => {
    const covisit = new Covisitation(options());
    covisit.observe('t', ['a', 'b', 'c', 'd'], T0);
    expect(covisit.neighbours('t', 2).map((n) => n.item)).toEqual(['a', 'b']);
    expect(covisit.neighbours('unknown', 2)).toEqual([]);
  });

  it('evicts the least recently updated item beyond maxItems', () => {
    const covisit = new Covisitation(options({ maxItems: 3 }));
    covisit.observe('b', ['a'], T0); // rows: a, b
    covisit.observe('d', ['c'], T0); // rows: a, b, c, d → a goes
    expect(covisit.size).toBe(3);
    expect(covisit.neighbours('a', 5)).toEqual([]);
    covisit.observe('e', ['b'], T0); // b updated; c is now the least recent → c goes
    expect(covisit.size).toBe(3);
    expect(covisit.neighbours('c', 5)).toEqual([]);
    expect(ranked(covisit, 'b')).toEqual([
      ['e', 1],
      ['a', 0.5],
    ]);
    expect(ranked(covisit, 'd')).toEqual([['c', 0.5]]);
  });

  it('bounds the neighbours kept per item and keeps the strongest', () => {
    const covisit = new Covisitation(options({ neighbours: 2 }));
    for (let i = 0; i < 10; i += 1) covisit.observe('strong1', ['a'], T0);
    for (let i = 0; i < 9; i += 1) covisit.observe('strong2', ['a'], T0);
    for (let i = 0; i < 20; i += 1) {
      covisit.observe(`weak${i}`, ['a'], T0);
      expect(covisit.neighbours('a', 100).length).toBeLessThanOrEqual(4);
    }
    expect(covisit.neighbours('a', 2).map((n) => n.item)).toEqual(['strong1', 'strong2']);
  });

  describe('decay', () => {
    it('lets a newer pair with fewer counts outrank an older one after enough half-lives', () => {
      const covisit = new Covisitation(options({ halfLifeMs: HOUR }));
      for (let i = 0; i < 3; i += 1) covisit.observe('old', ['a'], T0);
      covisit.observe('recent', ['a'], T0 + HOUR);
      // One half-life later: 1 at T0+1h is worth 2 at T0; 3 old counts still lead.
      expect(covisit.neighbours('a', 2).map((n) => n.item)).toEqual(['old', 'recent']);
      covisit.observe('newest', ['a'], T0 + 3 * HOUR);
      const [first, second] = covisit.neighbours('a', 3);
      expect(first?.item).toBe('newest');
      expect(second?.item).toBe('old');
      expect((first?.score ?? 0) / (second?.score ?? 1)).toBeCloseTo(8 / 3, 9);
    });

    it('stays finite over ten years of event time at a 1 h half-life', () => {
      const covisit = new Covisitation(options({ halfLifeMs: HOUR, neighbours: 5 }));
      let last = 'start';
      for (let day = 0; day <= 3650; day += 1) {
        const item = `i${day % 50}`;
        covisit.observe(item, [last, 'hub'], T0 + day * DAY);
        last = item;
      }
      for (let k = 0; k < 50; k += 1) {
        for (const n of covisit.neighbours(`i${k}`, 10)) expect(Number.isFinite(n.score)).toBe(true);
      }
      const hub = covisit.neighbours('hub', 10);
      expect(hub.length).toBeGreaterThan(0);
      for (const n of hub) expect(Number.isFinite(n.score)).toBe(true);
      // The newest pair still carries weight and leads.
      expect(hub[0]?.item).toBe(last);
      expect(hub[0]?.score).toBeGreaterThan(0);
    });

    it('stays finite after a single ten-year jump in event time', () => {
      const covisit = new Covisitation(options({ halfLifeMs: HOUR }));
      covisit.observe('b', ['a'], T0);
      covisit.observe('c', ['a'], T0 + 3650 * DAY);
      const scores = covisit.neighbours('a', 5);
      expect(scores.map((n) => n.item)).toEqual(['c', 'b']);
      for (const n of scores) expect(Number.isFinite(n.score)).toBe(true);
      expect(scores[0]?.score).toBeGreaterThan(0);
    });
  });
});

describe('Covisitation name table', () => {
  it('stays bounded over an endless catalogue and keeps every surviving neighbour under its own name', () => {
    const covisit = new Covisitation(options({ maxItems: 50, neighbours: 3 }));
    for (let i = 0; i < 5000; i += 1) covisit.observe(`item-${i}`, [`item-${i - 1}`, `item-${i - 2}`], T0);
    expect(covisit.size).toBe(50);
    // 4991 and 4992 followed it (1 and 1/2), 4989 and 4988 preceded it (halved: 1/2, 1/4); ties by name.
    expect(ranked(covisit, 'item-4990')).toEqual([
      ['item-4991', 1],
      ['item-4989', 0.5],
      ['item-4992', 0.5],
      ['item-4988', 0.25],
    ]);
    const table = covisit.snapshot().rows.flatMap(([, entries]) => entries.map(([name]) => name));
    expect(new Set(table).size).toBeLessThanOrEqual(50 * 3 + 50);
    expect((covisit as unknown as { names: string[] }).names.length).toBeLessThan(2 * 50 + 2 * 250);
    // Evicted and outgrown rows hand their blocks back: 5,000 rows of up to 7 cells would need ~55k cells.
    expect(covisit.reservedCells).toBeLessThanOrEqual(1024);
  });
});

describe('Covisitation snapshots', () => {
  it('restores the same neighbours, in the same eviction order, and goes on learning from them', () => {
    const covisit = new Covisitation(options({ maxItems: 20, neighbours: 3 }));
    for (let i = 0; i < 200; i += 1) covisit.observe(`item-${i % 37}`, [`item-${(i * 7) % 37}`, `item-${(i * 11) % 37}`], T0 + i);
    const restored = new Covisitation(options({ maxItems: 20, neighbours: 3 }));
    restored.restore(covisit.snapshot());
    expect(restored.snapshot()).toEqual(covisit.snapshot());
    for (const c of [covisit, restored]) for (let i = 0; i < 50; i += 1) c.observe(`item-${i % 41}`, [`item-${(i * 3) % 41}`], T0 + 300 + i);
    expect(restored.snapshot()).toEqual(covisit.snapshot());
  });
});

describe('Covisitation.topNeighbours', () => {
  it('holds exactly the top k of neighbours(), with their scores', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 })), { maxLength: 200 }), fc.integer({ min: 1, max: 12 }), (pairs, k) => {
        const covisit = new Covisitation({ neighbours: 8, window: 5, halfLifeMs: 3_600_000, maxItems: 1000 });
        pairs.forEach(([a, b], i) => covisit.observe(`i${b}`, [`i${a}`], Date.UTC(2026, 0, 1) + i));
        for (let x = 0; x <= 30; x += 1) {
          const top = new Map(covisit.neighbours(`i${x}`, k).map((n) => [n.item, n.score]));
          expect(new Map(covisit.topNeighbours(`i${x}`, k))).toEqual(top);
        }
      }),
      { numRuns: 50 },
    );
  });
});
