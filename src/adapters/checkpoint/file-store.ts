import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RecError } from '../../errors.ts';
import type { ModelArtifacts } from '../../model/artifacts.ts';
import type { CheckpointStore, GlobalCheckpoint, PartitionCheckpoint } from '../../runtime/checkpoint.ts';
import { FileModelStore } from '../model/file-store.ts';

/** A shared-state checkpoint not rewritten for this long belongs to a process that is gone. */
const GONE_AFTER_MS = 24 * 3600 * 1000;

/** A name usable as one path segment. */
const segment = (name: string): string => name.replace(/[^A-Za-z0-9._-]/g, '_');

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

async function readJson<T>(path: string): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
    throw new RecError('REC_CHECKPOINT', `could not read ${path}`, { cause: error, retriable: true });
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new RecError('REC_CHECKPOINT', `checkpoint ${path} is unreadable`, { cause: error });
  }
}

/**
 * Checkpoints in a folder the engine processes share: each process's shared state in
 * `global/<topic>/<instance>/state.json` (its model in `model/` beside it), each events partition's
 * sessions in `partitions/<topic>/<partition>.json`, written by the partition's owner. Everything is
 * written to a temporary name and renamed into place; the state file is renamed after the model, so a
 * crash mid-write leaves the previous checkpoint readable.
 */
export class FileCheckpointStore implements CheckpointStore {
  constructor(
    private readonly dir: string,
    private readonly instance: string,
  ) {}

  private globalDir(topic: string, instance: string): string {
    return join(this.dir, 'global', segment(topic), segment(instance));
  }

  private partitionsDir(topic: string): string {
    return join(this.dir, 'partitions', segment(topic));
  }

  async saveGlobal(checkpoint: GlobalCheckpoint, model: ModelArtifacts | null): Promise<{ bytes: number }> {
    const dir = this.globalDir(checkpoint.topic, this.instance);
    try {
      await mkdir(dir, { recursive: true });
      if (model !== null) await new FileModelStore(join(dir, 'model')).save(model);
      const text = JSON.stringify({ ...checkpoint, hasModel: model !== null });
      await writeAtomically(join(dir, 'state.json'), text);
      await this.pruneGone(checkpoint.topic, checkpoint.createdAt);
      return { bytes: Buffer.byteLength(text) };
    } catch (error) {
      throw new RecError('REC_CHECKPOINT', `could not write the checkpoint to ${dir}`, { cause: error, retriable: true });
    }
  }

  /**
   * Removes the shared-state checkpoints of processes gone for a day (an instance named host:pid gets a
   * new folder at each restart): a live process rewrites its own every checkpoint interval.
   */
  private async pruneGone(topic: string, now: number): Promise<void> {
    const root = join(this.dir, 'global', segment(topic));
    for (const name of await readdir(root)) {
      if (name === segment(this.instance)) continue;
      const state = await stat(join(root, name, 'state.json')).catch(() => null);
      if (state !== null && now - state.mtimeMs > GONE_AFTER_MS) await rm(join(root, name), { recursive: true, force: true });
    }
  }

  async loadGlobal(topic: string): Promise<{ checkpoint: GlobalCheckpoint; model: ModelArtifacts | null } | null> {
    const root = join(this.dir, 'global', segment(topic));
    let names: string[];
    try {
      names = await readdir(root);
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
      throw new RecError('REC_CHECKPOINT', `could not list ${root}`, { cause: error, retriable: true });
    }
    let newest: { checkpoint: GlobalCheckpoint & { readonly hasModel: boolean }; dir: string } | null = null;
    for (const name of names) {
      const dir = join(root, name);
      const checkpoint = await readJson<GlobalCheckpoint & { readonly hasModel: boolean }>(join(dir, 'state.json'));
      if (checkpoint !== null && (newest === null || checkpoint.createdAt > newest.checkpoint.createdAt)) newest = { checkpoint, dir };
    }
    if (newest === null) return null;
    try {
      const model = newest.checkpoint.hasModel ? await new FileModelStore(join(newest.dir, 'model')).load() : null;
      return { checkpoint: newest.checkpoint, model };
    } catch (error) {
      throw new RecError('REC_CHECKPOINT', `the model of the checkpoint in ${newest.dir} is unreadable`, { cause: error });
    }
  }

  async savePartitions(checkpoints: readonly PartitionCheckpoint[]): Promise<{ bytes: number }> {
    let bytes = 0;
    for (const checkpoint of checkpoints) {
      const dir = this.partitionsDir(checkpoint.topic);
      try {
        await mkdir(dir, { recursive: true });
        const text = JSON.stringify(checkpoint);
        await writeAtomically(join(dir, `${checkpoint.sessions.partition}.json`), text);
        bytes += Buffer.byteLength(text);
      } catch (error) {
        throw new RecError('REC_CHECKPOINT', `could not write the checkpoint of partition ${checkpoint.sessions.partition} to ${dir}`, { cause: error, retriable: true });
      }
    }
    return { bytes };
  }

  loadPartition(topic: string, partition: number): Promise<PartitionCheckpoint | null> {
    return readJson<PartitionCheckpoint>(join(this.partitionsDir(topic), `${partition}.json`));
  }
}
