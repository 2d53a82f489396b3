import { describe, expect, it } from 'vitest';
import { BlockArena } from '../../../src/domain/block-arena.ts';

describe('BlockArena', () => {
  it('hands out disjoint blocks and keeps their cells when it grows', () => {
    const arena = new BlockArena();
    const blocks = Array.from({ length: 500 }, (_, b) => {
      const offset = arena.alloc(5);
      for (let i = 0; i < 5; i += 1) {
        arena.keys[offset + i] = b;
        arena.values[offset + i] = b + i / 10;
      }
      return offset;
    });
    expect(arena.capacity).toBeGreaterThan(1024);
    blocks.forEach((offset, b) => {
      for (let i = 0; i < 5; i += 1) {
        expect(arena.keys[offset + i]).toBe(b);
        expect(arena.values[offset + i]).toBe(Math.fround(b + i / 10));
      }
    });
  });

  it('reuses a released block of the same capacity only', () => {
    const arena = new BlockArena();
    const a = arena.alloc(4);
    const b = arena.alloc(12);
    arena.release(a, 4);
    expect(arena.alloc(12)).not.toBe(a);
    expect(arena.alloc(4)).toBe(a);
    arena.release(b, 12);
    expect(arena.alloc(12)).toBe(b);
  });

  it('scales every value handed out, and starts empty again after clear', () => {
    const arena = new BlockArena();
    const a = arena.alloc(2);
    arena.values[a] = 3;
    arena.values[a + 1] = 5;
    arena.scale(0.5);
    expect([arena.values[a], arena.values[a + 1]]).toEqual([1.5, 2.5]);
    arena.clear();
    expect(arena.alloc(2)).toBe(0);
    expect(arena.values[0]).toBe(0);
  });
});
