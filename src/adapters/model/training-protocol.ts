import type { ModelArtifacts } from '../../model/artifacts.ts';
import type { ClusterIndex } from '../../model/cluster-index.ts';
import type { SessionModelOptions } from '../../model/options.ts';
import type { ParamBuffers } from '../../model/params.ts';
import type { TrainingProgress } from '../../model/session-model.ts';
import type { BatchStatus, TrainingExample } from '../../model/trainer.ts';

/** What the training thread starts from (its `workerData`). */
export interface TrainingWorkerData {
  readonly options: SessionModelOptions;
  readonly buffers: ParamBuffers;
  /** A snapshot to resume from, or null for a new model. */
  readonly artifacts: ModelArtifacts | null;
}

/** Main thread → training thread. */
export type TrainingRequest =
  | { readonly kind: 'train'; readonly examples: readonly TrainingExample[] }
  | { readonly kind: 'snapshot'; readonly id: number }
  | { readonly kind: 'index'; readonly id: number; readonly seed: number };

/** Training thread → main thread. */
export type TrainingReply =
  | { readonly kind: 'trained'; readonly status: BatchStatus; readonly loss: number; readonly progress: TrainingProgress }
  | { readonly kind: 'snapshot'; readonly id: number; readonly artifacts: ModelArtifacts }
  | { readonly kind: 'index'; readonly id: number; readonly index: ClusterIndex }
  | { readonly kind: 'failed'; readonly message: string };
