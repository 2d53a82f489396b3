import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/adapters/log/pino.ts';
import type { ModelConfig } from '../../../src/config/config.ts';
import { startModel } from '../../../src/runtime/model-runtime.ts';
import { RecordingMetrics } from '../helpers/fakes.ts';

const logger = createLogger({ level: 'silent' });
const base: ModelConfig = { enabled: true, backend: 'auto', maxItems: 1000, dim: 8, learningRate: 0.1, negatives: 16, batchSize: 4, snapshotDir: '', snapshotIntervalMs: 60_000, worker: false };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('startModel', () => {
  it('is off unless enabled', async () => {
    expect(await startModel({ ...base, enabled: false }, new RecordingMetrics(), logger)).toBeNull();
  });

  it('reports the backend it picked and every update, as metrics', async () => {
    const metrics = new RecordingMetrics();
    const runtime = await startModel(base, metrics, logger);
    expect(runtime?.backend).toBe('wasm');
    runtime?.train([
      { context: ['a'], target: 'b' },
      { context: ['b', 'a'], target: 'c' },
    ]);
    expect(metrics.calls.filter((c) => c.name === 'modelBackend').map((c) => c.args)).toEqual([['wasm']]);
    expect(metrics.calls.some((c) => c.name === 'modelUpdate' && c.args[0] === 'applied')).toBe(true);
    await runtime?.stop();
  });

  it('snapshots to its folder and restores the same model on the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-'));
    dirs.push(dir);
    const first = await startModel({ ...base, snapshotDir: dir }, new RecordingMetrics(), logger);
    for (let i = 0; i < 20; i += 1) first?.train([{ context: [`i${i % 5}`], target: `i${(i + 1) % 5}` }]);
    await first?.stop();
    expect(readdirSync(dir).length).toBeGreaterThan(0);
    const second = await startModel({ ...base, snapshotDir: dir }, new RecordingMetrics(), logger);
    expect(second?.model.modelVersion).toBe(first?.model.modelVersion);
    const a = new Float64Array(5);
    const b = new Float64Array(5);
    const items = ['i0', 'i1', 'i2', 'i3', 'i4'];
    first?.model.scoreItems(['i1'], items, a);
    second?.model.scoreItems(['i1'], items, b);
    expect(Array.from(b)).toEqual(Array.from(a));
    await second?.stop();
  });

  it('trains on a worker thread when model.worker is set, with the same updates, metrics and snapshots', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-'));
    dirs.push(dir);
    const metrics = new RecordingMetrics();
    const threaded = await startModel({ ...base, worker: true, snapshotDir: dir }, metrics, logger);
    const inline = await startModel(base, new RecordingMetrics(), logger);
    expect(threaded?.training).toBe('worker');
    expect(inline?.training).toBe('inline');
    for (let i = 0; i < 20; i += 1) {
      const batch = [{ context: [`i${i % 5}`], target: `i${(i + 1) % 5}` }];
      await threaded?.train(batch);
      await inline?.train(batch);
    }
    await threaded?.drain();
    expect(threaded?.model.modelVersion).toBe(inline?.model.modelVersion);
    expect(metrics.calls.filter((c) => c.name === 'modelUpdate')).toHaveLength(20);
    await threaded?.stop();
    const restored = await startModel({ ...base, snapshotDir: dir }, new RecordingMetrics(), logger);
    const a = new Float64Array(5);
    const b = new Float64Array(5);
    const items = ['i0', 'i1', 'i2', 'i3', 'i4'];
    inline?.model.scoreItems(['i1'], items, a);
    restored?.model.scoreItems(['i1'], items, b);
    expect(Array.from(b)).toEqual(Array.from(a));
    await Promise.all([inline?.stop(), restored?.stop()]);
  });
});
