import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type Tf } from '../../../../src/adapters/model/tf-backend.ts';
import { TfScorer } from '../../../../src/adapters/model/tf-scorer.ts';
import { SessionModel } from '../../../../src/model/session-model.ts';
import { batches, randomExamples } from '../../model/helpers.ts';

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend({ preferred: 'wasm' })).tf;
});

function trainedModel(): SessionModel {
  const model = new SessionModel({ maxItems: 400, dim: 16, negatives: 32, seed: 4 });
  for (const batch of batches(randomExamples(4000, 300, 8), 64)) model.trainBatch(batch);
  return model;
}

const contexts = [['i1', 'i2'], ['i7'], ['i42', 'i9', 'i100'], ['unknown'], []];

describe('TfScorer', () => {
  it('gives the same top-k as the typed-array scorer', async () => {
    const model = trainedModel();
    const expected = await model.topKBatch(contexts, 10);
    const scorer = new TfScorer(tf);
    model.setBatchScorer(scorer);
    const actual = await model.topKBatch(contexts, 10);
    for (const [n, list] of actual.entries()) {
      expect(list.map((r) => r.item)).toEqual(expected[n]?.map((r) => r.item));
      for (const [i, r] of list.entries()) expect(r.score).toBeCloseTo(expected[n]?.[i]?.score ?? Number.NaN, 4);
    }
    scorer.dispose();
  });

  it('keeps tf.memory().numTensors flat over 200 calls, refreshing as the model trains', async () => {
    const model = trainedModel();
    const scorer = new TfScorer(tf, { refreshEvery: 5 });
    model.setBatchScorer(scorer);
    await model.topKBatch(contexts, 20);
    const before = tf.memory().numTensors;
    const more = batches(randomExamples(200 * 16, 300, 12), 16);
    for (let call = 0; call < 200; call += 1) {
      model.trainBatch(more[call] ?? []);
      await model.topKBatch(contexts, 20);
    }
    expect(scorer.refreshes).toBeGreaterThan(20);
    expect(tf.memory().numTensors).toBe(before);
    scorer.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
  });

  it('pads when k exceeds the catalogue', async () => {
    const model = new SessionModel({ maxItems: 10, dim: 8, negatives: 4 });
    model.trainBatch([{ context: ['a'], target: 'b' }]);
    const scorer = new TfScorer(tf);
    const sessions = new Float32Array(8);
    const result = await scorer.topK(sessions, 1, 5, model.outputTable());
    expect([...result.indices].slice(2)).toEqual([-1, -1, -1]);
    scorer.dispose();
  });
});
