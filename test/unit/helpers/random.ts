import { mulberry32 } from '../../../src/domain/random.ts';

/** Seeded PRNG: the same seed gives the same stream, so failures reproduce. */
export const seededRandom = mulberry32;

export function randomInt(random: () => number, below: number): number {
  return Math.floor(random() * below);
}
