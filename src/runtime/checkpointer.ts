import { performance } from 'node:perf_hooks';
import { describeError } from '../errors.ts';
import type { ModelArtifacts } from '../model/artifacts.ts';
import type { Logger } from '../ports/logger.ts';
import { captureCheckpoint, type CapturedCheckpoint, type CheckpointParts, type CheckpointStore } from './checkpoint.ts';

/** What the checkpointer needs from the event source. */
export interface QuiescingSource {
  quiesce<T>(capture: (positions: ReadonlyMap<number, string>) => T): Promise<T>;
  settledPositions(): ReadonlyMap<number, string> | null;
}

export interface Checkpointer {
  /** Writes one checkpoint now (the source keeps running). */
  checkpoint(): Promise<void>;
  /** Stops the timer; after the source drained, writes a last checkpoint (skipped if events are still in flight). */
  stop(): Promise<void>;
}

/**
 * Periodic checkpoints: pause the source until what was read is stored, capture state and positions
 * in one synchronous step, resume, then write. A failed write is logged and the previous checkpoint
 * stays; the engine keeps running (a restart then replays more of the log).
 */
export function startCheckpointer(
  store: CheckpointStore,
  source: QuiescingSource,
  parts: CheckpointParts,
  /** Must take (or request) the snapshot synchronously: it runs while the source is quiesced. */
  captureModel: () => Promise<ModelArtifacts | null> | ModelArtifacts | null,
  intervalMs: number,
  logger: Logger,
  now: () => number,
): Checkpointer {
  let chain: Promise<void> = Promise.resolve();
  const write = async (taken: { checkpoint: CapturedCheckpoint; model: ModelArtifacts | null }, pausedMs: number, started: number): Promise<void> => {
    // Sessions first: a shared state newer than the sessions only means a longer replay of the partition.
    const sessions = await store.savePartitions(taken.checkpoint.partitions);
    const shared = await store.saveGlobal(taken.checkpoint.global, taken.model);
    const offsets = Object.fromEntries(taken.checkpoint.partitions.map((partition) => [String(partition.sessions.partition), partition.offset]));
    logger.info({ offsets, bytes: sessions.bytes + shared.bytes, pausedMs: Math.round(pausedMs), ms: Math.round(performance.now() - started) }, 'checkpoint written');
  };
  const periodic = (): Promise<void> => {
    chain = chain.then(async () => {
      const started = performance.now();
      try {
        const taken = await source.quiesce((positions) => ({ checkpoint: captureCheckpoint(parts, positions, now()), model: captureModel() }));
        const pausedMs = performance.now() - started;
        await write({ checkpoint: taken.checkpoint, model: await taken.model }, pausedMs, started);
      } catch (error) {
        logger.warn({ err: describeError(error) }, 'checkpoint failed; the previous one stays');
      }
    });
    return chain;
  };
  const timer = setInterval(() => void periodic(), intervalMs);
  timer.unref();
  return {
    checkpoint: periodic,
    stop: async () => {
      clearInterval(timer);
      await chain;
      const positions = source.settledPositions();
      if (positions === null) {
        logger.warn({}, 'events still in flight at shutdown: keeping the previous checkpoint');
        return;
      }
      const started = performance.now();
      try {
        const model = captureModel();
        await write({ checkpoint: captureCheckpoint(parts, positions, now()), model: await model }, 0, started);
      } catch (error) {
        logger.warn({ err: describeError(error) }, 'final checkpoint failed; the previous one stays');
      }
    },
  };
}
