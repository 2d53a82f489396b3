import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileModelStore } from '../../../../src/adapters/model/file-store.ts';
import { MemoryModelStore } from '../../../../src/adapters/model/memory-store.ts';
import type { ModelStore } from '../../../../src/model/model-store.ts';
import { SessionModel } from '../../../../src/model/session-model.ts';
import { batches, randomExamples } from '../../model/helpers.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'streamrec-model-'));
  dirs.push(dir);
  return dir;
}

const stores: [string, () => Promise<ModelStore>][] = [
  ['memory', () => Promise.resolve(new MemoryModelStore())],
  ['file', async () => new FileModelStore(join(await tempDir(), 'model'))],
];

describe.each(stores)('%s ModelStore', (_name, create) => {
  it('loads null before any save, then the latest snapshot, which restores identical scores', async () => {
    const store = await create();
    expect(await store.load()).toBeNull();
    const model = new SessionModel({ maxItems: 200, dim: 8, negatives: 16 });
    for (const batch of batches(randomExamples(500, 100, 2), 64)) model.trainBatch(batch);
    await store.save(model.toArtifacts());
    model.trainBatch(randomExamples(64, 100, 3));
    const expected = new Float32Array(model.size);
    model.scoreAll(['i1', 'i2'], expected);
    await store.save(model.toArtifacts());
    model.trainBatch(randomExamples(64, 100, 4)); // must not leak into the saved snapshot
    const loaded = await store.load();
    expect(loaded?.meta.version).toBe(model.version - 1);
    if (loaded === null) throw new Error('nothing loaded');
    const restored = SessionModel.fromArtifacts(loaded);
    const actual = new Float32Array(restored.size);
    restored.scoreAll(['i1', 'i2'], actual);
    expect(actual).toEqual(expected);
  });
});

describe('FileModelStore', () => {
  it('leaves no temporary files behind and writes meta + weights', async () => {
    const dir = join(await tempDir(), 'm');
    const store = new FileModelStore(dir);
    const model = new SessionModel({ maxItems: 50, dim: 4, negatives: 4 });
    model.trainBatch(randomExamples(10, 20, 1));
    await store.save(model.toArtifacts());
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights-v1.bin']);
    const loaded = await store.load();
    expect(loaded?.weights.byteLength).toBe(model.toArtifacts().weights.byteLength);
    const restored = SessionModel.fromArtifacts(loaded ?? model.toArtifacts());
    const x = new Float32Array(model.size);
    const y = new Float32Array(model.size);
    model.scoreAll(['i3'], x);
    restored.scoreAll(['i3'], y);
    expect(y).toEqual(x);
  });
});
