import { describe, expect, it } from 'vitest';
import { Names } from '../../../src/domain/names.ts';

describe('Names', () => {
  it('numbers names in order of first sight, the same number every time, and names them back', () => {
    const names = new Names();
    expect([names.intern('shoes'), names.intern('bags'), names.intern('shoes')]).toEqual([0, 1, 0]);
    expect([names.name(0), names.name(1), names.name(7)]).toEqual(['shoes', 'bags', '']);
  });
});
