import type { ModelArtifacts } from '../../model/artifacts.ts';
import type { ModelStore } from '../../model/model-store.ts';

/** Keeps the latest snapshot in memory (tests, and single-process runs that need no durability). */
export class MemoryModelStore implements ModelStore {
  private latest: ModelArtifacts | null = null;

  save(artifacts: ModelArtifacts): Promise<void> {
    // Copy the buffer: the caller may keep training on arrays that share memory with it.
    this.latest = { meta: structuredClone(artifacts.meta), weightSpecs: artifacts.weightSpecs.map((s) => ({ ...s })), weights: artifacts.weights.slice(0) };
    return Promise.resolve();
  }

  load(): Promise<ModelArtifacts | null> {
    const latest = this.latest;
    if (latest === null) return Promise.resolve(null);
    return Promise.resolve({ meta: structuredClone(latest.meta), weightSpecs: latest.weightSpecs.map((s) => ({ ...s })), weights: latest.weights.slice(0) });
  }
}
