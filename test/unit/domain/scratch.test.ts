import { describe, expect, it } from 'vitest';
import { Scratch } from '../../../src/domain/scratch.ts';

describe('Scratch', () => {
  it('hands out zeroed views of one buffer, growing it when asked for more', () => {
    const scratch = new Scratch(4);
    const first = scratch.take(3);
    first.fill(7);
    const second = scratch.take(4);
    expect(Array.from(second)).toEqual([0, 0, 0, 0]);
    expect(second.buffer).toBe(first.buffer);
    const large = scratch.take(9);
    expect(large.length).toBe(9);
    expect(Array.from(large).every((v) => v === 0)).toBe(true);
    expect(large.buffer).not.toBe(first.buffer);
    expect(scratch.take(0).length).toBe(0);
  });
});
