import { mulberry32 } from '../domain/random.ts';
import type { SessionModelOptions } from './options.ts';

/** Offsets of the small dense matrices inside `ModelParams.dense`. */
export interface DenseLayout {
  /** Bilinear attention matrix A [dim × dim]. */
  readonly a: number;
  /** Output projection P [dim × 2·dim] over [attended ; last]. */
  readonly p: number;
  /** Per-position vectors [maxContext × dim] added to the context embeddings. */
  readonly pos: number;
  readonly length: number;
}

export function denseLayout(dim: number, maxContext: number): DenseLayout {
  return { a: 0, p: dim * dim, pos: 3 * dim * dim, length: 3 * dim * dim + maxContext * dim };
}

/**
 * Every learned number of the model, in flat Float32Arrays sized for `maxItems` rows up front so the
 * hot loops never reallocate. Adagrad state is one accumulator per embedding row (row-wise Adagrad:
 * a 64-wide row shares one rate, which costs 1 float instead of 64 and learns as well for embeddings)
 * and one per element of the bias and of the dense matrices.
 */
export class ModelParams {
  readonly dim: number;
  readonly maxItems: number;
  /** Input (context) embeddings E [maxItems × dim]. */
  readonly input: Float32Array;
  /** Output (candidate) embeddings O [maxItems × dim]; kept apart from E (asymmetric next-item relation). */
  readonly output: Float32Array;
  /** Output bias b [maxItems]: learns log-popularity. */
  readonly bias: Float32Array;
  readonly inputAcc: Float32Array;
  readonly outputAcc: Float32Array;
  readonly biasAcc: Float32Array;
  /** How often each item was a training target (drives negative sampling). */
  readonly counts: Float32Array;
  readonly dense: Float32Array;
  readonly denseAcc: Float32Array;
  readonly layout: DenseLayout;
  private readonly seed: number;
  private readonly scale: number;

  constructor(options: SessionModelOptions) {
    const { dim, maxItems, maxContext } = options;
    this.dim = dim;
    this.maxItems = maxItems;
    this.seed = options.seed;
    this.scale = options.initScale / Math.sqrt(dim);
    this.input = new Float32Array(maxItems * dim);
    this.output = new Float32Array(maxItems * dim);
    this.bias = new Float32Array(maxItems);
    this.inputAcc = new Float32Array(maxItems);
    this.outputAcc = new Float32Array(maxItems);
    this.biasAcc = new Float32Array(maxItems);
    this.counts = new Float32Array(maxItems);
    this.layout = denseLayout(dim, maxContext);
    this.dense = new Float32Array(this.layout.length);
    this.denseAcc = new Float32Array(this.layout.length);
    this.initDense();
  }

  /**
   * Gives a new item its starting rows. The generator is seeded by (seed, index), not drawn from a
   * shared stream, so a restored snapshot initialises later items exactly as the original would have.
   */
  initRow(index: number): void {
    const random = mulberry32((this.seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
    const base = index * this.dim;
    for (let c = 0; c < this.dim; c += 1) {
      this.input[base + c] = (2 * random() - 1) * this.scale;
      this.output[base + c] = (2 * random() - 1) * this.scale;
    }
  }

  /** Bytes held in typed arrays. */
  get bytes(): number {
    return [this.input, this.output, this.bias, this.inputAcc, this.outputAcc, this.biasAcc, this.counts, this.dense, this.denseAcc]
      .reduce((sum, array) => sum + array.byteLength, 0);
  }

  /**
   * A starts at zero (uniform attention = mean pooling) and P at [½I ½I], so the untrained session
   * vector is the average of the last item and the context mean: a sensible prior that the first
   * updates refine instead of having to discover from noise.
   */
  private initDense(): void {
    const random = mulberry32(this.seed ^ 0x5eed);
    const { dim } = this;
    const { p } = this.layout;
    for (let r = 0; r < dim; r += 1) {
      for (let c = 0; c < 2 * dim; c += 1) {
        const identity = c === r || c === r + dim ? 0.5 : 0;
        this.dense[p + r * 2 * dim + c] = identity + (2 * random() - 1) * 0.01;
      }
    }
  }
}
