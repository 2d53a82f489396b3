import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HALF, toHalf } from '../../../src/model/half.ts';
import { mulberry32 } from '../../../src/domain/random.ts';

describe('half precision', () => {
  it('decodes known bit patterns', () => {
    expect(HALF[0x3c00]).toBe(1);
    expect(HALF[0xc000]).toBe(-2);
    expect(HALF[0x7bff]).toBe(65504);
    expect(HALF[0x0001]).toBe(2 ** -24);
    expect(HALF[0x0400]).toBe(2 ** -14);
    expect(HALF[0x3555]).toBeCloseTo(1 / 3, 3);
    expect(HALF[0x7c00]).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(HALF[0x7e00])).toBe(true);
  });

  it('round-trips every finite half exactly', () => {
    const wrong: number[] = [];
    let checked = 0;
    for (let h = 0; h < 65536; h += 1) {
      const v = HALF[h] ?? 0;
      if (!Number.isFinite(v)) continue;
      checked += 1;
      if (toHalf(h === 0x8000 ? -0 : v) !== h) wrong.push(h);
    }
    expect(checked).toBe(65536 - 2 * 1024);
    expect(wrong).toEqual([]);
  });

  it('rounds to the nearest half, ties to even, and overflows to infinity', () => {
    fc.assert(
      fc.property(fc.double({ min: -60000, max: 60000, noNaN: true }), (x) => {
        const h = toHalf(x);
        const v = HALF[h] ?? 0;
        // No other half is closer.
        expect(Math.abs(v - Math.fround(x))).toBeLessThanOrEqual(Math.abs((HALF[h + 1] ?? v) - Math.fround(x)));
        if ((h & 0x7fff) > 0) expect(Math.abs(v - Math.fround(x))).toBeLessThanOrEqual(Math.abs((HALF[h - 1] ?? v) - Math.fround(x)));
      }),
    );
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00);
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toHalf(70000)).toBe(0x7c00);
    expect(toHalf(-70000)).toBe(0xfc00);
  });

  it('rounds stochastically without bias: small steps add up on average', () => {
    const random = mulberry32(3);
    const step = 1e-4; // a quarter of the spacing of halves near 0.3
    let nearest = toHalf(0.3);
    let stochastic = toHalf(0.3);
    for (let i = 0; i < 2000; i += 1) {
      nearest = toHalf((HALF[nearest] ?? 0) + step);
      stochastic = toHalf((HALF[stochastic] ?? 0) + step, random());
    }
    expect(HALF[nearest]).toBeCloseTo(0.3, 3); // every step rounded away
    expect(HALF[stochastic]).toBeCloseTo(0.5, 1);
  });
});
