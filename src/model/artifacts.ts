import { RecError } from '../errors.ts';
import type { SessionModelOptions } from './options.ts';
import type { TrainerCounters } from './trainer.ts';

/** Where one named float32 array lies in `ModelArtifacts.weights`. */
export interface WeightSpec {
  readonly name: string;
  /** Byte offset into the weight buffer. */
  readonly offset: number;
  /** Number of float32 elements. */
  readonly length: number;
}

/** JSON part of a snapshot. */
export interface ModelMeta {
  readonly format: 'streamrec-session-model';
  readonly formatVersion: 1;
  readonly options: SessionModelOptions;
  /** Item ids in row order. */
  readonly items: readonly string[];
  /** First sightings refused while the vocabulary was full. */
  readonly overflow: number;
  readonly version: number;
  readonly counters: TrainerCounters;
  readonly rollingLoss: number | null;
  readonly learningRate: number;
}

/**
 * A snapshot, shaped like tf.io ModelArtifacts (JSON topology + weight specs + one binary buffer), so a
 * store written for one fits the other's mental model.
 */
export interface ModelArtifacts {
  readonly meta: ModelMeta;
  readonly weightSpecs: readonly WeightSpec[];
  readonly weights: ArrayBuffer;
}

/** Concatenates named float arrays into one buffer with its spec list. */
export function packWeights(arrays: readonly (readonly [string, Float32Array])[]): { weightSpecs: WeightSpec[]; weights: ArrayBuffer } {
  const weightSpecs: WeightSpec[] = [];
  let offset = 0;
  for (const [name, array] of arrays) {
    weightSpecs.push({ name, offset, length: array.length });
    offset += array.byteLength;
  }
  const weights = new ArrayBuffer(offset);
  const view = new Float32Array(weights);
  for (const [i, [, array]] of arrays.entries()) view.set(array, (weightSpecs[i]?.offset ?? 0) / 4);
  return { weightSpecs, weights };
}

/** The named array of a snapshot (a view on its buffer); throws if missing or out of bounds. */
export function weightOf(artifacts: ModelArtifacts, name: string): Float32Array {
  const spec = artifacts.weightSpecs.find((candidate) => candidate.name === name);
  if (spec === undefined) throw new RecError('REC_DATA', `model snapshot has no weight '${name}'`);
  if (spec.offset % 4 !== 0 || spec.offset + spec.length * 4 > artifacts.weights.byteLength) {
    throw new RecError('REC_DATA', `model snapshot weight '${name}' lies outside the buffer`);
  }
  return new Float32Array(artifacts.weights, spec.offset, spec.length);
}
