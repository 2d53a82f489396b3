import { describe, expect, it } from 'vitest';
import { SessionModel } from '../../../src/model/session-model.ts';
import { batches, randomExamples } from './helpers.ts';

const contexts = [['i1', 'i2'], ['i7'], ['i42', 'i9', 'i100'], []];

function snapshotScores(model: SessionModel): Float32Array[] {
  return contexts.map((context) => {
    const out = new Float32Array(model.size);
    model.scoreAll(context, out);
    return out;
  });
}

function warmModel(): SessionModel {
  const model = new SessionModel({ maxItems: 300, dim: 16, negatives: 32, seed: 11 });
  for (const batch of batches(randomExamples(3000, 200, 21), 64)) model.trainBatch(batch);
  return model;
}

describe('update guards', () => {
  it('skips an update whose values would be NaN and leaves the parameters untouched', () => {
    const model = warmModel();
    const before = snapshotScores(model);
    const version = model.version;
    model.learningRate = Number.NaN;
    const result = model.trainBatch(randomExamples(64, 200, 99));
    expect(result.status).toBe('non-finite');
    expect(model.stats.skippedNonFinite).toBe(1);
    expect(model.version).toBe(version);
    const after = snapshotScores(model);
    expect(after).toEqual(before);
    for (const scores of after) expect(scores.every(Number.isFinite)).toBe(true);
    model.learningRate = 0.05;
    expect(model.trainBatch(randomExamples(64, 200, 100)).status).toBe('applied');
  });

  it('skips an update when a parameter it reads is poisoned (Infinity), counting it', () => {
    const model = warmModel();
    const target = model.indexOf('i5');
    // Poison one output row through the read-only view's underlying array, as memory corruption would.
    model.outputTable().output[target * 16] = 0x7c00; // +Infinity in half precision
    const version = model.version;
    const result = model.trainBatch([{ context: ['i1', 'i2'], target: 'i5' }]);
    expect(result.status).toBe('non-finite');
    expect(model.version).toBe(version);
    expect(model.stats.skippedNonFinite).toBe(1);
  });

  it('rolls back a destructive step (huge learning rate): scores equal the pre-batch ones', () => {
    const model = warmModel();
    const before = snapshotScores(model);
    const stats = model.stats;
    model.learningRate = 1e4;
    const result = model.trainBatch(randomExamples(64, 200, 42));
    expect(['rolled-back', 'non-finite']).toContain(result.status);
    expect(model.stats.rolledBack + model.stats.skippedNonFinite).toBe(stats.rolledBack + stats.skippedNonFinite + 1);
    expect(result.status).toBe('rolled-back');
    expect(snapshotScores(model)).toEqual(before);
    expect(model.version).toBe(stats.updates);
  });

  it('a typed-array model holds no tensors: no tensor library is imported by src/model', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const dir = new URL('../../../src/model/', import.meta.url);
    for (const file of await readdir(dir)) {
      const text = await readFile(new URL(file, dir), 'utf8');
      expect(text, file).not.toMatch(/@tensorflow/);
    }
  });
});
