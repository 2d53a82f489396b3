import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RecError } from '../../errors.ts';
import type { ModelArtifacts, ModelMeta, WeightSpec } from '../../model/artifacts.ts';
import type { ModelStore } from '../../model/model-store.ts';

interface MetaFile {
  readonly meta: ModelMeta;
  readonly weightSpecs: readonly WeightSpec[];
  /** Name of the weight file this meta belongs to. */
  readonly weightsFile: string;
}

/**
 * Snapshots as two files in a folder: `model.json` (meta + weight specs) and a weights `.bin` named
 * after the model version. Each file is written to a temporary name and renamed into place (atomic on
 * POSIX); the JSON is renamed last and names its .bin, so a reader never pairs a new JSON with a half
 * written or older weight file. Superseded .bin files are left for the operator to prune.
 */
export class FileModelStore implements ModelStore {
  constructor(private readonly dir: string) {}

  async save(artifacts: ModelArtifacts): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      const weightsFile = `weights-v${artifacts.meta.version}.bin`;
      const suffix = `.tmp-${process.pid}-${Date.now()}`;
      await writeFile(join(this.dir, weightsFile + suffix), new Uint8Array(artifacts.weights));
      await rename(join(this.dir, weightsFile + suffix), join(this.dir, weightsFile));
      const meta: MetaFile = { meta: artifacts.meta, weightSpecs: artifacts.weightSpecs, weightsFile };
      await writeFile(join(this.dir, `model.json${suffix}`), JSON.stringify(meta));
      await rename(join(this.dir, `model.json${suffix}`), join(this.dir, 'model.json'));
    } catch (error) {
      throw new RecError('REC_DATA', `could not save the model to ${this.dir}`, { cause: error, retriable: true });
    }
  }

  async load(): Promise<ModelArtifacts | null> {
    let text: string;
    try {
      text = await readFile(join(this.dir, 'model.json'), 'utf8');
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
      throw new RecError('REC_DATA', `could not read ${join(this.dir, 'model.json')}`, { cause: error, retriable: true });
    }
    try {
      const parsed = JSON.parse(text) as MetaFile;
      const bytes = await readFile(join(this.dir, parsed.weightsFile));
      // Copy into a fresh ArrayBuffer: Node's Buffer may be a view into a shared pool.
      const weights = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      return { meta: parsed.meta, weightSpecs: parsed.weightSpecs, weights };
    } catch (error) {
      throw new RecError('REC_DATA', `model snapshot in ${this.dir} is unreadable`, { cause: error });
    }
  }
}
