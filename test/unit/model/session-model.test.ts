import { describe, expect, it } from 'vitest';
import { SessionModel } from '../../../src/model/session-model.ts';
import { selectTopK } from '../../../src/model/scorer.ts';
import { batches, randomExamples } from './helpers.ts';

const small = { maxItems: 300, dim: 16, negatives: 32, seed: 3 } as const;
const contexts = [['i1', 'i2'], ['i7'], ['i42', 'i9', 'i100'], ['never-seen'], []];

function scoresOf(model: SessionModel, context: readonly string[]): Float32Array {
  const out = new Float32Array(model.size);
  model.scoreAll(context, out);
  return out;
}

function trained(count = 3000): SessionModel {
  const model = new SessionModel(small);
  for (const batch of batches(randomExamples(count, 200, 5), 64)) model.trainBatch(batch);
  return model;
}

describe('SessionModel', () => {
  it('bumps version and modelVersion on every applied update', () => {
    const model = new SessionModel(small);
    expect(model.modelVersion).toBe('attn-d16-v0');
    const result = model.trainBatch(randomExamples(64, 50, 1));
    expect(result).toMatchObject({ examples: 64, skipped: 0, status: 'applied' });
    expect(model.version).toBe(1);
    expect(model.modelVersion).toBe('attn-d16-v1');
  });

  it('scores unknown contexts by popularity (the bias) and topK agrees with scoreAll', () => {
    const model = trained();
    const popularity = scoresOf(model, ['never-seen']);
    const bias = model.outputTable().bias;
    for (let j = 0; j < model.size; j += 1) expect(popularity[j]).toBe(bias[j]);
    const scores = scoresOf(model, ['i1', 'i2']);
    const top = model.topK(['i1', 'i2'], 10);
    const sorted = [...scores].sort((a, b) => b - a).slice(0, 10);
    expect(top.map((r) => r.score)).toEqual(sorted);
    const excluded = model.topK(['i1', 'i2'], 10, (index) => index % 2 === 0);
    expect(excluded.every((r) => model.indexOf(r.item) % 2 === 1)).toBe(true);
  });

  it('query: one encoding of a context answers scoreItems and nearest as the separate calls do', () => {
    const model = trained();
    const items = ['i1', 'i5', 'never-seen', 'i150'];
    for (const context of contexts) {
      const query = model.query(context);
      const together = new Float64Array(items.length);
      const apart = new Float64Array(items.length);
      query.scoreItems(items, together);
      model.scoreItems(context, items, apart);
      expect(together).toEqual(apart);
      expect(query.nearest(10)).toEqual(model.nearest(context, 10));
    }
  });

  it('topKBatch (typed-array scorer) matches topK', async () => {
    const model = trained();
    const lists = await model.topKBatch(contexts, 5);
    for (const [i, context] of contexts.entries()) expect(lists[i]).toEqual(model.topK(context, 5));
  });

  it('restores a snapshot exactly: identical scores, identical further training', () => {
    const model = trained();
    const copy = SessionModel.fromArtifacts(model.toArtifacts());
    expect(copy.version).toBe(model.version);
    expect(copy.stats).toEqual(model.stats);
    for (const context of contexts) expect(scoresOf(copy, context)).toEqual(scoresOf(model, context));
    // More data, including new items, so row initialisation and the sampler are exercised too.
    for (const batch of batches(randomExamples(2000, 260, 77), 64)) {
      expect(copy.trainBatch(batch)).toEqual(model.trainBatch(batch));
    }
    for (const context of [...contexts, ['i250', 'i255']]) expect(scoresOf(copy, context)).toEqual(scoresOf(model, context));
    expect(copy.modelVersion).toBe(model.modelVersion);
  });

  it('honours the vocabulary capacity: new items beyond it are counted, skipped as targets, unknown in scores', () => {
    const model = new SessionModel({ ...small, maxItems: 20 });
    for (const batch of batches(randomExamples(1000, 100, 9), 64)) model.trainBatch(batch);
    expect(model.size).toBe(20);
    expect(model.stats.unknownItems).toBeGreaterThan(0);
    expect(model.stats.skippedExamples).toBeGreaterThan(0);
    const last = model.itemAt(19);
    expect(model.indexOf(last)).toBe(19);
    const unseen = model.topK(['i99999'], 30);
    expect(unseen).toHaveLength(20);
  });

  it('reports typed-array bytes that scale with capacity', () => {
    const a = new SessionModel({ maxItems: 1000, dim: 64 });
    const b = new SessionModel({ maxItems: 2000, dim: 64 });
    // Two half-precision embedding rows (2 bytes per weight), five float32 scalars, sampler and vocabulary slots.
    expect(b.bytes - a.bytes).toBe(1000 * (2 * 64 * 2 + 5 * 4) + 1000 * (4 + 8));
  });

  it('rejects invalid options', () => {
    expect(() => new SessionModel({ dim: 0 })).toThrow(/dim/);
  });
});

describe('selectTopK', () => {
  it('returns the k best, best first, ties by lower index', () => {
    const scores = Float32Array.from([0.5, 3, 1, 3, -2, 7, 0]);
    const best = selectTopK(scores, scores.length, 3);
    expect([...best.indices]).toEqual([5, 1, 3]);
    expect([...best.scores]).toEqual([7, 3, 3]);
    expect([...selectTopK(scores, 2, 5).indices]).toEqual([1, 0]);
  });
});
