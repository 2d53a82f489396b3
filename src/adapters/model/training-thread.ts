import { Worker } from 'node:worker_threads';
import { RecError } from '../../errors.ts';
import type { ModelArtifacts } from '../../model/artifacts.ts';
import type { ClusterIndex } from '../../model/cluster-index.ts';
import type { SessionModel } from '../../model/session-model.ts';
import type { BatchStatus, TrainingExample } from '../../model/trainer.ts';
import type { TrainingReply, TrainingRequest, TrainingWorkerData } from './training-protocol.ts';

/** Called on the main thread after each batch the training thread finished. */
export type OnTrained = (status: BatchStatus, loss: number) => void;

/**
 * Trains a `SessionModel` on a worker thread, over the model's own (shared) parameter memory, so the
 * pipeline thread keeps scoring while the next update is computed. The main-thread model stays the
 * one everything reads: `train` reserves the batch's new items in its vocabulary (the same rows the
 * worker will give them) and the worker's progress is adopted after every batch. At most
 * `maxQueued` batches wait for the worker; beyond that `train` returns a promise that settles when
 * one is done, so a fast stream is slowed down instead of queueing without bound.
 */
export class TrainingThread {
  private queued = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly snapshots = new Map<number, { resolve: (a: ModelArtifacts) => void; reject: (e: Error) => void }>();
  private readonly indexes = new Map<number, { resolve: (index: ClusterIndex) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: RecError | null = null;
  private drained: (() => void)[] = [];

  private constructor(
    private readonly worker: Worker,
    private readonly model: SessionModel,
    private readonly maxQueued: number,
    private readonly onTrained: OnTrained,
  ) {
    worker.on('message', (reply: TrainingReply) => this.receive(reply));
    worker.on('error', (error) => this.fail(new RecError('REC_MODEL', `model training thread crashed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => {
      if (this.failure === null) this.fail(new RecError('REC_MODEL', `model training thread exited (code ${code})`));
    });
  }

  /**
   * Starts the thread on `model`'s shared parameters (built with `memory: 'shared'`); `artifacts` is
   * the snapshot `model` was restored from, if any, so both sides start from the same state.
   */
  static async start(model: SessionModel, artifacts: ModelArtifacts | null, onTrained: OnTrained, maxQueued = 4): Promise<TrainingThread> {
    const data: TrainingWorkerData = { options: model.options, buffers: model.paramBuffers, artifacts };
    const worker = new Worker(new URL('./training-worker.boot.mjs', import.meta.url), { workerData: data });
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', (error) => reject(new RecError('REC_MODEL', `model training thread failed to start: ${error.message}`, { cause: error })));
    });
    return new TrainingThread(worker, model, maxQueued, onTrained);
  }

  /** Hands a batch to the thread; a promise when the queue is full (await it before the next one). */
  train(examples: readonly TrainingExample[]): void | Promise<void> {
    if (this.failure !== null) throw this.failure;
    this.model.reserve(examples);
    this.queued += 1;
    this.post({ kind: 'train', examples });
    if (this.queued <= this.maxQueued) return undefined;
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Settles once every batch handed over so far is trained. */
  async drain(): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (this.queued === 0) return;
    await new Promise<void>((resolve) => this.drained.push(resolve));
    if (this.failure !== null) throw this.failure;
  }

  /** A consistent snapshot, taken by the thread between two batches. */
  async snapshot(): Promise<ModelArtifacts> {
    if (this.failure !== null) throw this.failure;
    const id = (this.nextId += 1);
    const done = new Promise<ModelArtifacts>((resolve, reject) => this.snapshots.set(id, { resolve, reject }));
    this.post({ kind: 'snapshot', id });
    return done;
  }

  /** A cluster index over the output embeddings of every item trained so far, built by the thread between batches. */
  async buildIndex(seed: number): Promise<ClusterIndex> {
    if (this.failure !== null) throw this.failure;
    const id = (this.nextId += 1);
    const done = new Promise<ClusterIndex>((resolve, reject) => this.indexes.set(id, { resolve, reject }));
    this.post({ kind: 'index', id, seed });
    return done;
  }

  /** Finishes the queued batches, then ends the thread. */
  async stop(): Promise<void> {
    await this.drain().catch(() => undefined);
    this.failure ??= new RecError('REC_SHUTDOWN', 'model training thread stopped');
    await this.worker.terminate();
  }

  private post(request: TrainingRequest): void {
    this.worker.postMessage(request);
  }

  private receive(reply: TrainingReply): void {
    if (reply.kind === 'trained') {
      this.model.adopt(reply.progress);
      this.queued -= 1;
      this.onTrained(reply.status, reply.loss);
      this.waiting.shift()?.();
      if (this.queued === 0) for (const resolve of this.drained.splice(0)) resolve();
    } else if (reply.kind === 'index') {
      const pending = this.indexes.get(reply.id);
      this.indexes.delete(reply.id);
      pending?.resolve(reply.index);
    } else if (reply.kind === 'snapshot') {
      const pending = this.snapshots.get(reply.id);
      this.snapshots.delete(reply.id);
      pending?.resolve(reply.artifacts);
    } else {
      this.fail(new RecError('REC_MODEL', `model training thread failed: ${reply.message}`));
    }
  }

  private fail(error: RecError): void {
    if (this.failure !== null && this.failure.code === 'REC_SHUTDOWN') return;
    this.failure = error;
    for (const pending of [...this.snapshots.values(), ...this.indexes.values()]) pending.reject(error);
    this.snapshots.clear();
    this.indexes.clear();
    for (const resolve of [...this.waiting.splice(0), ...this.drained.splice(0)]) resolve();
  }
}
