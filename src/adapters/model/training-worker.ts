import { parentPort, workerData } from 'node:worker_threads';
import { buildClusterIndex } from '../../model/cluster-index.ts';
import { SessionModel } from '../../model/session-model.ts';
import type { TrainingReply, TrainingRequest, TrainingWorkerData } from './training-protocol.ts';

/**
 * The training thread: a complete `SessionModel` over the main thread's shared parameter memory. It
 * trains batches in arrival order and answers snapshot requests between batches, so a snapshot is
 * always a consistent state (vocabulary, parameters, optimiser and counters of the same update). It
 * also builds the model's cluster index between batches, so the pipeline thread never pays for it.
 */
const port = parentPort;
if (port === null) throw new Error('training-worker.ts must run as a worker thread');
const data = workerData as TrainingWorkerData;
const model =
  data.artifacts === null ? new SessionModel(data.options, undefined, data.buffers) : SessionModel.fromArtifacts(data.artifacts, undefined, data.buffers);
const reply = (message: TrainingReply): void => port.postMessage(message);

port.on('message', (request: TrainingRequest) => {
  try {
    if (request.kind === 'train') {
      const result = model.trainBatch(request.examples);
      reply({ kind: 'trained', status: result.status, loss: result.loss, progress: model.progress });
    } else if (request.kind === 'index') {
      const index = buildClusterIndex(model.outputTable(), request.seed);
      reply({ kind: 'index', id: request.id, index });
    } else {
      const artifacts = model.toArtifacts();
      port.postMessage({ kind: 'snapshot', id: request.id, artifacts } satisfies TrainingReply, [artifacts.weights]);
    }
  } catch (error) {
    reply({ kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
