import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RecError } from '../../errors.ts';
import type { ModelArtifacts } from '../../model/artifacts.ts';
import type { Checkpoint, CheckpointStore } from '../../runtime/checkpoint.ts';
import { FileModelStore } from '../model/file-store.ts';

/**
 * A checkpoint as `state.json` in a folder, with the model (when there is one) in `model/`. Both are
 * written to temporary names and renamed into place; the state file is renamed last and names the model
 * version it goes with, so a crash mid-write leaves the previous checkpoint readable.
 */
export class FileCheckpointStore implements CheckpointStore {
  private readonly models: FileModelStore;

  constructor(private readonly dir: string) {
    this.models = new FileModelStore(join(dir, 'model'));
  }

  async save(checkpoint: Checkpoint, model: ModelArtifacts | null): Promise<{ bytes: number }> {
    try {
      await mkdir(this.dir, { recursive: true });
      if (model !== null) await this.models.save(model);
      const text = JSON.stringify({ ...checkpoint, hasModel: model !== null });
      const temporary = join(this.dir, `state.json.tmp-${process.pid}`);
      await writeFile(temporary, text);
      await rename(temporary, join(this.dir, 'state.json'));
      return { bytes: Buffer.byteLength(text) };
    } catch (error) {
      throw new RecError('REC_CHECKPOINT', `could not write the checkpoint to ${this.dir}`, { cause: error, retriable: true });
    }
  }

  async load(): Promise<{ checkpoint: Checkpoint; model: ModelArtifacts | null } | null> {
    let text: string;
    try {
      text = await readFile(join(this.dir, 'state.json'), 'utf8');
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
      throw new RecError('REC_CHECKPOINT', `could not read ${join(this.dir, 'state.json')}`, { cause: error, retriable: true });
    }
    try {
      const parsed = JSON.parse(text) as Checkpoint & { readonly hasModel: boolean };
      const model = parsed.hasModel ? await this.models.load() : null;
      return { checkpoint: parsed, model };
    } catch (error) {
      throw new RecError('REC_CHECKPOINT', `checkpoint in ${this.dir} is unreadable`, { cause: error });
    }
  }
}
