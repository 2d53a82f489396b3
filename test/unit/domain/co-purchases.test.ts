import { describe, expect, it } from 'vitest';
import { CoPurchases } from '../../../src/domain/co-purchases.ts';

const options = { maxItems: 1000, maxPartners: 10, maxSessions: 1000, supportCap: 20 };

describe('CoPurchases', () => {
  it('counts distinct sessions that bought both items, symmetric, once per session', () => {
    const counts = new CoPurchases(options);
    for (let s = 0; s < 3; s += 1) {
      counts.observe(`s${s}`, 'a');
      counts.observe(`s${s}`, 'b');
      counts.observe(`s${s}`, 'b');
      counts.observe(`s${s}`, 'a');
    }
    counts.observe('s9', 'a');
    expect(counts.support('a', 'b')).toBe(3);
    expect(counts.support('b', 'a')).toBe(3);
    expect(counts.support('a', 'c')).toBe(0);
  });

  it('never counts a session twice for a pair, even after it was forgotten and buys the pair again', () => {
    const counts = new CoPurchases({ ...options, maxSessions: 2 });
    counts.observe('s1', 'a');
    counts.observe('s1', 'b');
    counts.observe('s2', 'x');
    counts.observe('s3', 'y'); // s1 is forgotten here
    counts.observe('s1', 'a');
    counts.observe('s1', 'b');
    expect(counts.support('a', 'b')).toBe(1);
  });

  it('stays within its bounds and survives a snapshot', () => {
    const counts = new CoPurchases({ ...options, maxItems: 50, maxPartners: 3 });
    for (let s = 0; s < 200; s += 1) for (let i = 0; i < 5; i += 1) counts.observe(`s${s}`, `i${(s + i) % 100}`);
    expect(counts.size).toBeLessThanOrEqual(50);
    const copy = new CoPurchases({ ...options, maxItems: 50, maxPartners: 3 });
    copy.restore(JSON.parse(JSON.stringify(counts.snapshot())));
    for (let i = 0; i < 100; i += 1) expect(copy.support(`i${i}`, `i${(i + 1) % 100}`)).toBe(counts.support(`i${i}`, `i${(i + 1) % 100}`));
  });
});
