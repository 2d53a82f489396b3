import { mulberry32 } from '../../../src/domain/random.ts';
import type { TrainingExample } from '../../../src/model/trainer.ts';

/** Random sessions over `items` items cut into (context newest first → next) examples. */
export function randomExamples(count: number, items: number, seed: number): TrainingExample[] {
  const random = mulberry32(seed);
  const examples: TrainingExample[] = [];
  while (examples.length < count) {
    const session = Array.from({ length: 2 + Math.floor(random() * 6) }, () => `i${Math.floor(random() * items)}`);
    for (let t = 1; t < session.length && examples.length < count; t += 1) {
      examples.push({ context: session.slice(0, t).reverse(), target: session[t] ?? '' });
    }
  }
  return examples;
}

export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
