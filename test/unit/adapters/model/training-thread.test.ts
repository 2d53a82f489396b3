import { afterEach, describe, expect, it } from 'vitest';
import { TrainingThread } from '../../../../src/adapters/model/training-thread.ts';
import { mulberry32 } from '../../../../src/domain/random.ts';
import { buildClusterIndex } from '../../../../src/model/cluster-index.ts';
import type { BatchStatus, TrainingExample } from '../../../../src/model/trainer.ts';
import { SessionModel } from '../../../../src/model/session-model.ts';

const options = { maxItems: 500, dim: 16, negatives: 32, seed: 5 };

/** Sessions over 120 items walking mostly forward, in micro-batches of 16 examples. */
function batches(count: number, seed: number): TrainingExample[][] {
  const random = mulberry32(seed);
  const out: TrainingExample[][] = [];
  for (let b = 0; b < count; b += 1) {
    const batch: TrainingExample[] = [];
    for (let n = 0; n < 16; n += 1) {
      const start = Math.floor(random() * 120);
      const context = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => `i${(start + 5 - i) % 120}`);
      batch.push({ context, target: `i${(start + 6) % 120}` });
    }
    out.push(batch);
  }
  return out;
}

function scores(model: SessionModel, context: readonly string[]): number[] {
  const items = Array.from({ length: 120 }, (_, i) => `i${i}`);
  const out = new Float64Array(items.length);
  model.scoreItems(context, items, out);
  return Array.from(out);
}

const threads: TrainingThread[] = [];
afterEach(async () => {
  for (const thread of threads.splice(0)) await thread.stop();
});

async function start(model: SessionModel, onTrained: (status: BatchStatus) => void = () => undefined, maxQueued = 4): Promise<TrainingThread> {
  const thread = await TrainingThread.start(model, null, onTrained, maxQueued);
  threads.push(thread);
  return thread;
}

describe('TrainingThread', () => {
  it('trains on a worker exactly as on the pipeline thread: same rows, same version, same scores', async () => {
    const inline = new SessionModel(options);
    const shared = new SessionModel(options, undefined, 'shared');
    const statuses: BatchStatus[] = [];
    const thread = await start(shared, (status) => statuses.push(status));
    for (const batch of batches(60, 1)) {
      inline.trainBatch(batch);
      await thread.train(batch);
    }
    await thread.drain();
    expect(statuses).toHaveLength(60);
    expect(shared.version).toBe(inline.version);
    expect(shared.version).toBeGreaterThan(50);
    expect(shared.size).toBe(inline.size);
    for (let i = 0; i < shared.size; i += 1) expect(shared.itemAt(i)).toBe(inline.itemAt(i));
    expect(scores(shared, ['i10', 'i9'])).toEqual(scores(inline, ['i10', 'i9']));
    expect(shared.stats.rollingLoss).toBe(inline.stats.rollingLoss);
  });

  it('asks the stream to wait once more than maxQueued batches are waiting, and lets it go on as they finish', async () => {
    const thread = await start(new SessionModel(options, undefined, 'shared'), undefined, 2);
    const [a, b, c] = batches(3, 2);
    expect(thread.train(a ?? [])).toBeUndefined();
    expect(thread.train(b ?? [])).toBeUndefined();
    const wait = thread.train(c ?? []);
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    await thread.drain();
  });

  it('snapshots a consistent state between batches, which restores to the same scores', async () => {
    const model = new SessionModel(options, undefined, 'shared');
    const thread = await start(model);
    for (const batch of batches(30, 3)) void thread.train(batch);
    // Requested while batches are still queued: the snapshot comes after all of them.
    const artifacts = await thread.snapshot();
    expect(artifacts.meta.version).toBe(model.version);
    const restored = SessionModel.fromArtifacts(artifacts);
    expect(scores(restored, ['i40'])).toEqual(scores(model, ['i40']));

    // A new thread resumes from the snapshot and trains on exactly like the original.
    const resumed = SessionModel.fromArtifacts(artifacts, undefined, 'shared');
    const second = await TrainingThread.start(resumed, artifacts, () => undefined);
    threads.push(second);
    const more = batches(10, 4);
    for (const batch of more) {
      void thread.train(batch);
      void second.train(batch);
    }
    await Promise.all([thread.drain(), second.drain()]);
    expect(resumed.version).toBe(model.version);
    expect(scores(resumed, ['i41', 'i40'])).toEqual(scores(model, ['i41', 'i40']));
  });

  it('builds the cluster index of the trained output embeddings on the thread', async () => {
    const shared = new SessionModel(options, undefined, 'shared');
    const thread = await start(shared);
    for (const batch of batches(30, 4)) await thread.train(batch);
    const index = await thread.buildIndex(11);
    expect(index.size).toBe(shared.size);
    expect(index).toEqual(buildClusterIndex(shared.outputTable(), 11));
  });

  it('refuses new work with a REC_MODEL error once the thread is gone', async () => {
    const thread = await start(new SessionModel(options, undefined, 'shared'));
    await thread.stop();
    expect(() => thread.train(batches(1, 5)[0] ?? [])).toThrow(/stopped/);
  });
});
