import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../src/adapters/model/tf-backend.ts';

describe('selectBackend', () => {
  it('lands on wasm here and says why the native backends were skipped', async () => {
    const choice = await selectBackend();
    expect(choice.name).toBe('wasm');
    expect(choice.tf.getBackend()).toBe('wasm');
    expect(choice.skipped.map((s) => s.name)).toEqual(['tfjs-node-gpu', 'tfjs-node']);
    expect(choice.skipped[0]?.reason).toMatch(/Cannot find (module|package) '@tensorflow\/tfjs-node-gpu'/);
    expect(choice.skipped[1]?.reason).toMatch(/Cannot find (module|package) '@tensorflow\/tfjs-node'/);
  });

  it('falls to cpu when wasm is disabled', async () => {
    const choice = await selectBackend({ allowWasm: false });
    expect(choice.name).toBe('cpu');
    expect(choice.tf.getBackend()).toBe('cpu');
    expect(choice.skipped.at(-1)).toEqual({ name: 'wasm', reason: 'disabled by option' });
  });

  it('a forced preference for a missing package falls back with the reason', async () => {
    const choice = await selectBackend({ preferred: 'tfjs-node' });
    expect(choice.name).toBe('wasm');
    expect(choice.skipped).toHaveLength(1);
    expect(choice.skipped[0]?.name).toBe('tfjs-node');
    expect(choice.skipped[0]?.reason).toMatch(/tfjs-node/);
  });

  it('passes over a GPU package that imports but registers no GPU backend', async () => {
    const importModule = async (specifier: string): Promise<unknown> => {
      if (specifier === '@tensorflow/tfjs-node-gpu') return {};
      return import(specifier) as Promise<unknown>;
    };
    const choice = await selectBackend({ importModule });
    expect(choice.name).toBe('wasm');
    expect(choice.skipped[0]).toEqual({ name: 'tfjs-node-gpu', reason: "@tensorflow/tfjs-node-gpu loaded but registered no 'tensorflow' backend" });
  });

  it('honours a preference for cpu', async () => {
    const choice = await selectBackend({ preferred: 'cpu' });
    expect(choice).toMatchObject({ name: 'cpu', skipped: [] });
  });
});
