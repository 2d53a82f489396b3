import type { ModelArtifacts } from './artifacts.ts';

/**
 * Where model snapshots live. Shaped like tf.io.IOHandler (`save` / `load` of artifacts) so a
 * tfjs-style handler can be wrapped without changing callers.
 */
export interface ModelStore {
  save(artifacts: ModelArtifacts): Promise<void>;
  /** The latest snapshot, or null when none was saved. */
  load(): Promise<ModelArtifacts | null>;
}
