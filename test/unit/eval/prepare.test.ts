import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { srgnnSplit, validationSplit, writeSplit, type RawView } from '../../../src/eval/prepare.ts';
import { readTestPrefixes, readTrainSessions } from '../../../src/eval/srgnn-data.ts';

const view = (session: string, item: string, date: string, order: number): RawView => ({ session, item, date, order });

/** Three training days and one test day; item z is rare, item n only appears in the test period. */
const VIEWS: RawView[] = [
  view('1', 'b', '2016-01-01', 2),
  view('1', 'a', '2016-01-01', 1),
  view('2', 'a', '2016-01-02', 1),
  view('2', 'c', '2016-01-02', 2),
  view('2', 'z', '2016-01-02', 3),
  view('3', 'b', '2016-01-03', 1),
  view('3', 'c', '2016-01-03', 2),
  view('4', 'a', '2016-01-03', 1),
  view('5', 'a', '2016-01-05', 1),
  view('5', 'n', '2016-01-05', 2),
  view('5', 'n', '2016-01-05', 3),
  view('5', 'b', '2016-01-05', 4),
  view('5', 'c', '2016-01-05', 5),
  view('6', 'c', '2016-01-05', 1),
];

describe('srgnnSplit', () => {
  it('orders by timeframe, drops rare items and single-view sessions, and splits by the last days', () => {
    const split = srgnnSplit(VIEWS, { minItemSupport: 2, testDays: 1 });
    expect(split.train).toEqual([['a', 'b'], ['a', 'c'], ['b', 'c']]);
    // Session 5 keeps a, b, c (n is unknown to training); every prefix becomes a row, longest first.
    expect(split.test).toEqual([
      { target: 'c', prefix: ['a', 'b'] },
      { target: 'b', prefix: ['a'] },
    ]);
    expect(split.stats).toMatchObject({ trainSessions: 3, testSessions: 1, items: 3, splitDay: '2016-01-04', lastDay: '2016-01-05' });
  });

  it('writes a folder the evaluation reads back, with categories of the items kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prepare-'));
    try {
      const split = srgnnSplit(VIEWS, { minItemSupport: 2, testDays: 1 });
      await writeSplit(dir, split, new Map([['a', '10'], ['b', '20'], ['q', '30']]));
      const train: string[][] = [];
      for await (const items of readTrainSessions(dir)) train.push(items);
      expect(train).toEqual(split.train);
      expect(await readTestPrefixes(dir)).toEqual(split.test);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses data with nothing left to split', () => {
    expect(() => srgnnSplit([view('1', 'a', '2016-01-01', 1)], { minItemSupport: 1, testDays: 1 })).toThrow(/nothing to split/);
  });
});

describe('validationSplit', () => {
  it('holds out the last share of the training sessions as SR-GNN test prefixes, without items training never saw', () => {
    const sessions = [['a', 'b'], ['b', 'c', 'a'], ['c', 'd'], ['a', 'x', 'b', 'c'], ['y', 'z']];
    const split = validationSplit(sessions, 0.4);
    expect(split.train).toEqual([['a', 'b'], ['b', 'c', 'a'], ['c', 'd']]);
    // x is unknown (dropped); y z leaves nothing of two items.
    expect(split.test).toEqual([
      { target: 'c', prefix: ['a', 'b'] },
      { target: 'b', prefix: ['a'] },
    ]);
    expect(split.testSessions).toBe(1);
  });

  it('rejects a share outside (0, 1)', () => {
    expect(() => validationSplit([['a', 'b']], 0)).toThrow(/between 0 and 1/);
    expect(() => validationSplit([['a', 'b']], 1)).toThrow(/between 0 and 1/);
  });
});
