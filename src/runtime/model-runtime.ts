import { FileModelStore } from '../adapters/model/file-store.ts';
import { selectBackend } from '../adapters/model/tf-backend.ts';
import { TfScorer } from '../adapters/model/tf-scorer.ts';
import { TrainingThread } from '../adapters/model/training-thread.ts';
import type { ModelConfig } from '../config/config.ts';
import { describeError } from '../errors.ts';
import type { ModelArtifacts } from '../model/artifacts.ts';
import type { ModelStore } from '../model/model-store.ts';
import { SessionModel } from '../model/session-model.ts';
import type { BatchStatus, TrainingExample } from '../model/trainer.ts';
import type { Logger } from '../ports/logger.ts';
import type { Metrics } from '../ports/metrics.ts';

export interface ModelRuntime {
  readonly model: SessionModel;
  readonly backend: string;
  /** Where updates are computed: 'worker' (a training thread) or 'inline' (the pipeline's thread). */
  readonly training: 'worker' | 'inline';
  /** One micro-batch; with a training thread, a promise while its queue is full (await it). */
  train(examples: readonly TrainingExample[]): void | Promise<void>;
  /** Settles once every batch handed over so far is trained. */
  drain(): Promise<void>;
  /**
   * A consistent snapshot of the model as of every batch handed over before the call: requested
   * synchronously, so it can be taken while the source is quiesced and awaited afterwards.
   */
  artifacts(): Promise<ModelArtifacts>;
  /** Writes a snapshot now (no-op without a snapshot folder). */
  snapshot(): Promise<void>;
  /** Stops periodic snapshots, finishes training what was handed over, and writes a last snapshot. */
  stop(): Promise<void>;
}

/**
 * Starts the online model when enabled: picks the TensorFlow.js backend (logged and exported as a
 * metric), restores the last snapshot if there is one, starts the training thread (`model.worker`)
 * and snapshots periodically.
 */
export async function startModel(config: ModelConfig, metrics: Metrics, logger: Logger, fromCheckpoint: ModelArtifacts | null = null): Promise<ModelRuntime | null> {
  if (!config.enabled) return null;
  const choice = await selectBackend(config.backend === 'auto' ? {} : { preferred: config.backend });
  logger.info({ backend: choice.name, skipped: choice.skipped, training: config.worker ? 'worker' : 'inline' }, 'model backend selected');
  metrics.modelBackend(choice.name);
  const scorer = new TfScorer(choice.tf);
  const store: ModelStore | null = config.snapshotDir === '' ? null : new FileModelStore(config.snapshotDir);
  const artifacts = fromCheckpoint ?? (store === null ? null : await store.load());
  const memory = config.worker ? 'shared' : 'local';
  const model =
    artifacts === null
      ? new SessionModel({ maxItems: config.maxItems, dim: config.dim, learningRate: config.learningRate, negatives: config.negatives }, scorer, memory)
      : SessionModel.fromArtifacts(artifacts, scorer, memory);
  if (artifacts !== null) logger.info({ version: model.modelVersion, items: model.size, from: fromCheckpoint === null ? config.snapshotDir : 'checkpoint' }, 'model restored from snapshot');
  const reportUpdate = (status: BatchStatus, loss: number): void => metrics.modelUpdate(status, Number.isFinite(loss) ? loss : null, model.version);
  const thread = config.worker ? await TrainingThread.start(model, artifacts, reportUpdate) : null;
  if (thread !== null) model.setIndexBuilder((seed) => thread.buildIndex(seed));
  const artifactsNow = (): Promise<ModelArtifacts> => (thread === null ? Promise.resolve(model.toArtifacts()) : thread.snapshot());
  let saving: Promise<void> = Promise.resolve();
  const snapshot = async (): Promise<void> => {
    if (store === null) return;
    const taken = artifactsNow();
    saving = saving.then(async () => {
      try {
        await store.save(await taken);
      } catch (error) {
        logger.warn({ err: describeError(error), dir: config.snapshotDir }, 'model snapshot failed');
      }
    });
    await saving;
  };
  const timer = store === null ? null : setInterval(() => void snapshot(), config.snapshotIntervalMs);
  timer?.unref();
  return {
    model,
    backend: choice.name,
    training: thread === null ? 'inline' : 'worker',
    train: (examples) => {
      if (thread !== null) return thread.train(examples);
      const result = model.trainBatch(examples);
      reportUpdate(result.status, result.loss);
      return undefined;
    },
    drain: async () => thread?.drain(),
    artifacts: artifactsNow,
    snapshot,
    stop: async () => {
      if (timer !== null) clearInterval(timer);
      await thread?.drain();
      await snapshot();
      await thread?.stop();
    },
  };
}
