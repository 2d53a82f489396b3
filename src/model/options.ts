import { RecError } from '../errors.ts';

/** Which loss trains the model. */
export type LossKind = 'sampled-softmax' | 'bpr';

/**
 * Options of the online session model. Defaults are the settings that measured best on Diginetica
 * (bench/model, chosen on a held-out tail of the training file, not on the test prefixes).
 */
export interface SessionModelOptions {
  /** Item capacity; items first seen beyond it are counted and score as unknown. Default 100 000. */
  readonly maxItems: number;
  /** Embedding width. Default 64. */
  readonly dim: number;
  /** Context items read by the encoder (newest first). Default 10. */
  readonly maxContext: number;
  /** Shared negatives per micro-batch. Default 256. */
  readonly negatives: number;
  /** Default 'sampled-softmax' (with log-Q correction). */
  readonly loss: LossKind;
  /** Adagrad base rate for every parameter. Default 0.1 (0.02: 10.4, 0.05: 33.2, 0.1: 38.2, 0.2: 37.9, 0.4: 31.3 validation HR@20). */
  readonly learningRate: number;
  /** Gradients are clipped to this L2 norm per embedding row and per dense matrix. Default 1. */
  readonly clipNorm: number;
  /** Sampler rebuilt from the frequency table every this many batches. Default 50. */
  readonly samplerRefresh: number;
  /** Exponent of the unigram sampling distribution. Default 0.75. */
  readonly samplerPower: number;
  /** Roll back a batch whose post-update loss exceeds this × the rolling loss; 0 disables the check. Default 3. */
  readonly rollbackFactor: number;
  /** Weight of each new batch in the rolling (prequential) loss. Default 0.02. */
  readonly lossSmoothing: number;
  /** Scale of the uniform random initialisation, divided by sqrt(dim). Default 0.5. */
  readonly initScale: number;
  readonly seed: number;
}

export const defaultModelOptions: SessionModelOptions = Object.freeze({
  maxItems: 100_000,
  dim: 64,
  maxContext: 10,
  negatives: 256,
  loss: 'sampled-softmax',
  learningRate: 0.1,
  clipNorm: 1,
  samplerRefresh: 50,
  samplerPower: 0.75,
  rollbackFactor: 3,
  lossSmoothing: 0.02,
  initScale: 0.5,
  seed: 42,
});

/** Fills defaults and rejects values the model cannot run with. */
export function resolveModelOptions(partial: Partial<SessionModelOptions> = {}): SessionModelOptions {
  const options: SessionModelOptions = { ...defaultModelOptions, ...partial };
  const positiveInts: (keyof SessionModelOptions)[] = ['maxItems', 'dim', 'maxContext', 'negatives', 'samplerRefresh'];
  for (const key of positiveInts) {
    const value = options[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new RecError('REC_CONFIG', `model option ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  if (options.loss !== 'sampled-softmax' && options.loss !== 'bpr') {
    throw new RecError('REC_CONFIG', `model option loss must be 'sampled-softmax' or 'bpr', got ${String(options.loss)}`);
  }
  return Object.freeze(options);
}
