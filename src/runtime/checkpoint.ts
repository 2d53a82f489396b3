import type { CandidateSnapshot, CandidateState } from '../domain/candidate-state.ts';
import type { PartitionSnapshot } from '../domain/partition-sessions.ts';
import type { SessionWindows } from '../domain/session-windows.ts';
import type { ModelArtifacts } from '../model/artifacts.ts';

/** 2: shared state and per-partition sessions apart, so another process can take a partition over. */
export const CHECKPOINT_FORMAT = 2;

/**
 * The shared state (candidate sources, ranker, model) as one process held it, with the position in the
 * state-deltas topic it corresponds to: restoring it and applying the deltas after that position gives
 * every process's learning since.
 */
export interface GlobalCheckpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly instance: string;
  readonly topic: string;
  /** Wall clock, epoch ms. */
  readonly createdAt: number;
  readonly modelVersion: string;
  readonly candidates: CandidateSnapshot;
  readonly deltas: {
    /** Delta-topic partition → next offset to apply. */
    readonly positions: Readonly<Record<string, string>>;
    /** The writer's own deltas up to this number are in the state. */
    readonly seq: number;
  };
}

/** One events partition's sessions and watermark, and the offset they stand at. */
export interface PartitionCheckpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly instance: string;
  readonly topic: string;
  readonly createdAt: number;
  /** Next offset to read: the sessions hold every record before it. */
  readonly offset: string;
  readonly sessions: PartitionSnapshot;
}

/** Where checkpoints live (a folder shared by the engine processes in production). */
export interface CheckpointStore {
  /** Writes atomically: a reader sees the previous checkpoint or this one, never a mix. */
  saveGlobal(checkpoint: GlobalCheckpoint, model: ModelArtifacts | null): Promise<{ bytes: number }>;
  /** The newest shared-state checkpoint written by any process for `topic`, or null. */
  loadGlobal(topic: string): Promise<{ checkpoint: GlobalCheckpoint; model: ModelArtifacts | null } | null>;
  savePartitions(checkpoints: readonly PartitionCheckpoint[]): Promise<{ bytes: number }>;
  loadPartition(topic: string, partition: number): Promise<PartitionCheckpoint | null>;
}

export interface CheckpointParts {
  readonly instance: string;
  readonly topic: string;
  readonly windows: SessionWindows;
  readonly candidates: CandidateState;
  readonly modelVersion: () => string;
  /** Delta-topic positions applied so far (empty when deltas are not shared). */
  readonly deltaPositions: () => ReadonlyMap<number, string>;
  /** The last number of this process's own published deltas. */
  readonly deltaSeq: () => number;
}

export interface CapturedCheckpoint {
  readonly global: GlobalCheckpoint;
  readonly partitions: readonly PartitionCheckpoint[];
}

/** The state as it is this instant (call between micro-batches, with nothing in flight); `positions` lists the owned partitions. */
export function captureCheckpoint(parts: CheckpointParts, positions: ReadonlyMap<number, string>, now: number): CapturedCheckpoint {
  const base = { format: CHECKPOINT_FORMAT, instance: parts.instance, topic: parts.topic, createdAt: now } as const;
  const partitions: PartitionCheckpoint[] = [];
  for (const [partition, offset] of positions) partitions.push({ ...base, offset, sessions: parts.windows.of(partition).snapshot() });
  return {
    global: {
      ...base,
      modelVersion: parts.modelVersion(),
      candidates: parts.candidates.snapshot(),
      deltas: { positions: Object.fromEntries([...parts.deltaPositions()].map(([partition, offset]) => [String(partition), offset])), seq: parts.deltaSeq() },
    },
    partitions,
  };
}

export interface RestoreOutcome {
  /** Delta-topic partition → offset to resume applying at. */
  readonly deltaPositions: ReadonlyMap<number, string>;
  /** The writer's own deltas up to `seq` are already in the restored state. */
  readonly known: { readonly origin: string; readonly seq: number };
  /** False when the ranker weights in the checkpoint belong to other features (they start over). */
  readonly rankerRestored: boolean;
}

/** Loads a shared-state checkpoint into fresh state; refuses one of another format or topic (returns null). */
export function restoreGlobal(checkpoint: GlobalCheckpoint, parts: CheckpointParts): RestoreOutcome | null {
  if (checkpoint.format !== CHECKPOINT_FORMAT || checkpoint.topic !== parts.topic) return null;
  const rankerRestored = parts.candidates.restore(checkpoint.candidates, checkpoint.instance === parts.instance);
  const deltaPositions = new Map(Object.entries(checkpoint.deltas.positions).map(([partition, offset]) => [Number(partition), offset]));
  return { deltaPositions, known: { origin: checkpoint.instance, seq: checkpoint.deltas.seq }, rankerRestored };
}

/** Loads one partition's sessions; returns the offset to read the partition from, or null for a checkpoint of another format or topic. */
export function restorePartition(checkpoint: PartitionCheckpoint, windows: SessionWindows, topic: string): string | null {
  if (checkpoint.format !== CHECKPOINT_FORMAT || checkpoint.topic !== topic) return null;
  windows.of(checkpoint.sessions.partition).restore(checkpoint.sessions);
  return checkpoint.offset;
}
