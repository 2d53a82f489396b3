import { FileModelStore } from '../adapters/model/file-store.ts';
import { selectBackend } from '../adapters/model/tf-backend.ts';
import { TfScorer } from '../adapters/model/tf-scorer.ts';
import type { ModelConfig } from '../config/config.ts';
import { describeError } from '../errors.ts';
import type { ModelArtifacts } from '../model/artifacts.ts';
import type { ModelStore } from '../model/model-store.ts';
import { SessionModel } from '../model/session-model.ts';
import type { Logger } from '../ports/logger.ts';
import type { Metrics } from '../ports/metrics.ts';

export interface ModelRuntime {
  readonly model: SessionModel;
  readonly backend: string;
  train(examples: readonly { readonly context: readonly string[]; readonly target: string }[]): void;
  /** Writes a snapshot now (no-op without a snapshot folder). */
  snapshot(): Promise<void>;
  /** Stops periodic snapshots and writes a last one. */
  stop(): Promise<void>;
}

/**
 * Starts the online model when enabled: picks the TensorFlow.js backend (logged and exported as a
 * metric), restores the last snapshot if there is one, and snapshots periodically.
 */
export async function startModel(config: ModelConfig, metrics: Metrics, logger: Logger, fromCheckpoint: ModelArtifacts | null = null): Promise<ModelRuntime | null> {
  if (!config.enabled) return null;
  const choice = await selectBackend(config.backend === 'auto' ? {} : { preferred: config.backend });
  logger.info({ backend: choice.name, skipped: choice.skipped }, 'model backend selected');
  metrics.modelBackend(choice.name);
  const scorer = new TfScorer(choice.tf);
  const store: ModelStore | null = config.snapshotDir === '' ? null : new FileModelStore(config.snapshotDir);
  const artifacts = fromCheckpoint ?? (store === null ? null : await store.load());
  const model =
    artifacts === null
      ? new SessionModel({ maxItems: config.maxItems, dim: config.dim, learningRate: config.learningRate, negatives: config.negatives }, scorer)
      : SessionModel.fromArtifacts(artifacts, scorer);
  if (artifacts !== null) logger.info({ version: model.modelVersion, items: model.size, from: fromCheckpoint === null ? config.snapshotDir : 'checkpoint' }, 'model restored from snapshot');
  let saving: Promise<void> = Promise.resolve();
  const snapshot = async (): Promise<void> => {
    if (store === null) return;
    saving = saving.then(async () => {
      try {
        await store.save(model.toArtifacts());
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
    train: (examples) => {
      const result = model.trainBatch(examples);
      metrics.modelUpdate(result.status, Number.isFinite(result.loss) ? result.loss : null, model.version);
    },
    snapshot,
    stop: async () => {
      if (timer !== null) clearInterval(timer);
      await snapshot();
    },
  };
}
