import { describe, expect, it } from 'vitest';
import { resized, SlotPool } from '../../../src/domain/slot-pool.ts';

describe('SlotPool', () => {
  it('hands out new slots in order, reuses released ones first, and grows the columns by half when a slot passes their length', () => {
    const lengths: number[] = [];
    const pool = new SlotPool(2, (length) => lengths.push(length));
    expect([pool.take(), pool.take()]).toEqual([0, 1]);
    expect(lengths).toEqual([]);
    expect(pool.take()).toBe(2);
    expect(lengths).toEqual([3]);
    pool.release(1);
    expect(pool.take()).toBe(1);
    expect(pool.highWater).toBe(3);
    expect(pool.take()).toBe(3);
    expect(pool.take()).toBe(4);
    expect(lengths).toEqual([3, 5]);
    pool.clear();
    expect(pool.take()).toBe(0);
    expect(pool.highWater).toBe(1);
  });

  it('resized keeps the array kind and the values, and zeroes the new tail', () => {
    const ints = resized(Int32Array.from([1, -2, 3]), 5);
    expect(ints).toBeInstanceOf(Int32Array);
    expect([...ints]).toEqual([1, -2, 3, 0, 0]);
    const floats = resized(Float64Array.from([0.5, 1.5]), 3);
    expect(floats).toBeInstanceOf(Float64Array);
    expect([...floats]).toEqual([0.5, 1.5, 0]);
  });
});
