import type { CandidateSnapshot, CandidateState } from '../domain/candidate-state.ts';
import type { PartitionSnapshot } from '../domain/partition-sessions.ts';
import type { SessionWindows } from '../domain/session-windows.ts';
import type { ModelArtifacts } from '../model/artifacts.ts';

export const CHECKPOINT_FORMAT = 1;

/**
 * Everything the engine learned, and the log positions it corresponds to: restoring it and reading each
 * partition from its offset gives the same state as never having stopped.
 */
export interface Checkpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly instance: string;
  readonly topic: string;
  /** Wall clock, epoch ms. */
  readonly createdAt: number;
  /** Partition → next offset to read. */
  readonly offsets: Readonly<Record<string, string>>;
  readonly modelVersion: string;
  readonly sessions: readonly PartitionSnapshot[];
  readonly candidates: CandidateSnapshot;
}

/** Where checkpoints live (a folder in production). */
export interface CheckpointStore {
  /** Writes atomically: a reader sees the previous checkpoint or this one, never a mix. */
  save(checkpoint: Checkpoint, model: ModelArtifacts | null): Promise<{ bytes: number }>;
  /** The latest checkpoint, or null when there is none. */
  load(): Promise<{ checkpoint: Checkpoint; model: ModelArtifacts | null } | null>;
}

export interface CheckpointParts {
  readonly instance: string;
  readonly topic: string;
  readonly windows: SessionWindows;
  readonly candidates: CandidateState;
  readonly modelVersion: () => string;
}

/** The state as it is this instant (call between micro-batches, with nothing in flight). */
export function captureCheckpoint(parts: CheckpointParts, positions: ReadonlyMap<number, string>, now: number): Checkpoint {
  return {
    format: CHECKPOINT_FORMAT,
    instance: parts.instance,
    topic: parts.topic,
    createdAt: now,
    offsets: Object.fromEntries([...positions].map(([partition, offset]) => [String(partition), offset])),
    modelVersion: parts.modelVersion(),
    sessions: parts.windows.snapshot(),
    candidates: parts.candidates.snapshot(),
  };
}

export interface RestoreOutcome {
  /** Partition → offset to resume reading at. */
  readonly offsets: ReadonlyMap<number, string>;
  readonly sessions: number;
  /** False when the ranker weights in the checkpoint belong to other features (they start over). */
  readonly rankerRestored: boolean;
}

/** Loads a checkpoint into fresh state; refuses one of another format or topic (returns null). */
export function restoreCheckpoint(checkpoint: Checkpoint, parts: CheckpointParts): RestoreOutcome | null {
  if (checkpoint.format !== CHECKPOINT_FORMAT || checkpoint.topic !== parts.topic) return null;
  parts.windows.restore(checkpoint.sessions);
  const rankerRestored = parts.candidates.restore(checkpoint.candidates);
  const offsets = new Map(Object.entries(checkpoint.offsets).map(([partition, offset]) => [Number(partition), offset]));
  const sessions = checkpoint.sessions.reduce((sum, partition) => sum + partition.sessions.length, 0);
  return { offsets, sessions, rankerRestored };
}
