import { describe, expect, it } from 'vitest';
import { ForwardDecay } from '../../../src/domain/decay.ts';
import { DAY, HOUR, T0 } from '../helpers/events.ts';

describe('ForwardDecay', () => {
  it('doubles the stored weight per half-life after the landmark (the first observation)', () => {
    const decay = new ForwardDecay(HOUR);
    const rebase = (): void => {
      throw new Error('no rebase expected');
    };
    expect(decay.weight(T0, rebase)).toBe(1);
    expect(decay.weight(T0 + HOUR, rebase)).toBe(2);
    expect(decay.weight(T0 + 3 * HOUR, rebase)).toBe(8);
    expect(decay.weight(T0 - HOUR, rebase)).toBe(0.5);
  });

  it('converts a stored score back to its decayed value at any time', () => {
    const decay = new ForwardDecay(HOUR);
    expect(decay.valueAt(5, T0)).toBe(5);
    const stored = decay.weight(T0 + 2 * HOUR, () => undefined);
    expect(decay.valueAt(stored, T0 + 2 * HOUR)).toBeCloseTo(1, 12);
    expect(decay.valueAt(stored, T0 + 3 * HOUR)).toBeCloseTo(0.5, 12);
  });

  it('moves the landmark before exponents get large, telling the owner by how much to rescale', () => {
    const decay = new ForwardDecay(HOUR);
    const factors: number[] = [];
    decay.weight(T0, (f) => factors.push(f));
    const far = decay.weight(T0 + 100 * HOUR, (f) => factors.push(f));
    expect(factors).toHaveLength(1);
    // After rescaling by the factor, old and new stored weights keep their true ratio (2^100).
    expect(Math.log2(far / (factors[0] ?? Number.NaN))).toBeCloseTo(100, 9);
    expect(Number.isFinite(far)).toBe(true);
    const veryFar = decay.weight(T0 + 3650 * DAY, (f) => factors.push(f));
    expect(Number.isFinite(veryFar)).toBe(true);
    expect(factors.every((f) => Number.isFinite(f) && f >= 0 && f <= 1)).toBe(true);
    expect(decay.valueAt(veryFar, T0 + 3650 * DAY)).toBeCloseTo(1, 9);
  });
});
