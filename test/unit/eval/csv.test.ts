import { describe, expect, it } from 'vitest';
import { parseCsvLine } from '../../../src/eval/csv.ts';

describe('parseCsvLine', () => {
  it('splits plain fields, keeping empty ones', () => {
    expect(parseCsvLine('a,b,,d,')).toEqual(['a', 'b', '', 'd', '']);
  });

  it('reads quoted fields with commas and doubled quotes', () => {
    expect(parseCsvLine('x,"Marseille, France","say ""hi""",y')).toEqual(['x', 'Marseille, France', 'say "hi"', 'y']);
  });
});
