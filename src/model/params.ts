import { mulberry32 } from '../domain/random.ts';
import { toHalf } from './half.ts';
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

/** The parameter tables' memory, shareable with a training thread (names of `ModelParams` fields). */
export interface ParamBuffers {
  readonly input: SharedArrayBuffer;
  readonly output: SharedArrayBuffer;
  readonly bias: SharedArrayBuffer;
  readonly inputAcc: SharedArrayBuffer;
  readonly outputAcc: SharedArrayBuffer;
  readonly biasAcc: SharedArrayBuffer;
  readonly counts: SharedArrayBuffer;
  readonly dense: SharedArrayBuffer;
  readonly denseAcc: SharedArrayBuffer;
}

/** Where the tables live: private memory, new shared memory, or the shared memory of another `ModelParams`. */
export type ParamMemory = 'local' | 'shared' | ParamBuffers;

export function denseLayout(dim: number, maxContext: number): DenseLayout {
  return { a: 0, p: dim * dim, pos: 3 * dim * dim, length: 3 * dim * dim + maxContext * dim };
}

/**
 * Every learned number of the model, in flat typed arrays sized for `maxItems` rows up front so the
 * hot loops never reallocate. The two embedding tables, nearly all of the model's memory, hold
 * half-precision bit patterns (`half.ts`: read through `HALF`, written with `toHalf`); everything else
 * is float32. Adagrad state is one accumulator per embedding row (row-wise Adagrad:
 * a 64-wide row shares one rate, which costs 1 float instead of 64 and learns as well for embeddings)
 * and one per element of the bias and of the dense matrices.
 */
export class ModelParams {
  readonly dim: number;
  readonly maxItems: number;
  /** Input (context) embeddings E [maxItems × dim], half precision. */
  readonly input: Uint16Array;
  /** Output (candidate) embeddings O [maxItems × dim], half precision; kept apart from E (asymmetric next-item relation). */
  readonly output: Uint16Array;
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

  /** `memory`: attaching to existing buffers leaves their values as they are (no initialisation). */
  constructor(options: SessionModelOptions, memory: ParamMemory = 'local') {
    const { dim, maxItems, maxContext } = options;
    this.dim = dim;
    this.maxItems = maxItems;
    this.seed = options.seed;
    this.scale = options.initScale / Math.sqrt(dim);
    this.layout = denseLayout(dim, maxContext);
    const attached = typeof memory === 'object' ? memory : null;
    const buffer = (name: keyof ParamBuffers, bytes: number): ArrayBuffer | SharedArrayBuffer => {
      if (attached !== null) {
        const existing = attached[name];
        if (existing.byteLength !== bytes) throw new RangeError(`shared model table '${name}' has ${existing.byteLength} bytes, expected ${bytes}`);
        return existing;
      }
      return memory === 'shared' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    };
    const table = (name: keyof ParamBuffers, length: number): Float32Array => new Float32Array(buffer(name, length * 4));
    this.input = new Uint16Array(buffer('input', maxItems * dim * 2));
    this.output = new Uint16Array(buffer('output', maxItems * dim * 2));
    this.bias = table('bias', maxItems);
    this.inputAcc = table('inputAcc', maxItems);
    this.outputAcc = table('outputAcc', maxItems);
    this.biasAcc = table('biasAcc', maxItems);
    this.counts = table('counts', maxItems);
    this.dense = table('dense', this.layout.length);
    this.denseAcc = table('denseAcc', this.layout.length);
    if (attached === null) this.initDense();
  }

  /** The shared memory of every table; throws for private memory. */
  get buffers(): ParamBuffers {
    const shared = (array: Float32Array | Uint16Array): SharedArrayBuffer => {
      if (!(array.buffer instanceof SharedArrayBuffer)) throw new TypeError('model parameters are not in shared memory');
      return array.buffer;
    };
    return {
      input: shared(this.input),
      output: shared(this.output),
      bias: shared(this.bias),
      inputAcc: shared(this.inputAcc),
      outputAcc: shared(this.outputAcc),
      biasAcc: shared(this.biasAcc),
      counts: shared(this.counts),
      dense: shared(this.dense),
      denseAcc: shared(this.denseAcc),
    };
  }

  /**
   * Gives a new item its starting rows. The generator is seeded by (seed, index), not drawn from a
   * shared stream, so a restored snapshot initialises later items exactly as the original would have.
   */
  initRow(index: number): void {
    const random = mulberry32((this.seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
    const base = index * this.dim;
    for (let c = 0; c < this.dim; c += 1) {
      this.input[base + c] = toHalf((2 * random() - 1) * this.scale);
      this.output[base + c] = toHalf((2 * random() - 1) * this.scale);
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
