import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/domain/random.ts';
import { SessionModel } from '../../../src/model/session-model.ts';
import type { TrainingExample } from '../../../src/model/trainer.ts';

const ITEMS = 500;
const next = (i: number): number => (i * 7 + 3) % ITEMS;

/** Sessions of 3–12 items where each step follows the planted rule with probability 0.8, else noise. */
function plantedExamples(count: number, seed: number): TrainingExample[] {
  const random = mulberry32(seed);
  const examples: TrainingExample[] = [];
  while (examples.length < count) {
    const length = 3 + Math.floor(random() * 10);
    const session = [Math.floor(random() * ITEMS)];
    for (let t = 1; t < length; t += 1) {
      const last = session[session.length - 1] ?? 0;
      session.push(random() < 0.8 ? next(last) : Math.floor(random() * ITEMS));
    }
    for (let t = 1; t < session.length && examples.length < count; t += 1) {
      const context = session.slice(0, t).reverse().map(String);
      examples.push({ context, target: String(session[t]) });
    }
  }
  return examples;
}

describe('SessionModel on a planted next-item rule', () => {
  it('learns item i → (7i+3) mod 500 in one pass over 30k noisy examples (HR@20 ≥ 0.95)', () => {
    const model = new SessionModel({ maxItems: 1000, dim: 32, negatives: 64, seed: 7 });
    const examples = plantedExamples(30_000, 1);
    for (let start = 0; start < examples.length; start += 64) model.trainBatch(examples.slice(start, start + 64));

    const random = mulberry32(99);
    let hits = 0;
    const trials = 1000;
    for (let t = 0; t < trials; t += 1) {
      const last = Math.floor(random() * ITEMS);
      const context = [String(last), String(Math.floor(random() * ITEMS))];
      const top = model.topK(context, 20).map((r) => r.item);
      if (top.includes(String(next(last)))) hits += 1;
    }
    const hr20 = hits / trials;
    console.log(`planted pattern HR@20 = ${hr20.toFixed(3)} (${model.stats.updates} updates)`);
    expect(hr20).toBeGreaterThanOrEqual(0.95);
    expect(model.stats.skippedNonFinite).toBe(0);
  });
});
