import { mulberry32 } from '../domain/random.ts';
import { applyDense, applyHalfRows, applyScalars, allFinite } from './adagrad.ts';
import { CandidateLoss } from './candidate-loss.ts';
import type { SessionEncoder } from './encoder.ts';
import { UpdateGuard } from './guard.ts';
import type { SessionModelOptions } from './options.ts';
import type { ModelParams } from './params.ts';
import type { NegativeSampler } from './sampler.ts';
import { SparseGrad } from './sparse-grad.ts';
import type { Vocabulary } from './vocabulary.ts';
import { HALF } from './half.ts';

/** One training example: the session so far (newest first) and the item that came next. */
export interface TrainingExample {
  readonly context: readonly string[];
  readonly target: string;
}

/** What became of one `trainBatch` call. */
export type BatchStatus = 'applied' | 'empty' | 'non-finite' | 'rolled-back';

export interface BatchResult {
  /** Mean loss of the batch measured before the update (prequential). */
  readonly loss: number;
  /** Examples used. */
  readonly examples: number;
  /** Examples dropped because their target could not enter the full vocabulary. */
  readonly skipped: number;
  readonly status: BatchStatus;
}

/** Running counters; part of snapshots. */
export interface TrainerCounters {
  /** Batches seen, applied or not (seeds the per-batch negative sample). */
  batches: number;
  /** Updates applied; equals the model version. */
  updates: number;
  skippedNonFinite: number;
  rolledBack: number;
  examples: number;
  skippedExamples: number;
}

/**
 * One online update per micro-batch: encode, loss over target + shared negatives, hand-written
 * backward into sparse row gradients, then guarded sparse Adagrad. Guards: any non-finite gradient or
 * written value undoes the update; so does a post-update loss above `rollbackFactor` × the rolling
 * pre-update loss (a cheap detector of a destructive step, at the price of one more forward pass).
 */
export class Trainer {
  /** Adagrad base rate; may be changed between batches (schedules, incident response). */
  learningRate: number;
  /** Exponential moving average of the pre-update batch loss; null before the first batch. */
  rollingLoss: number | null = null;
  readonly counters: TrainerCounters = { batches: 0, updates: 0, skippedNonFinite: 0, rolledBack: 0, examples: 0, skippedExamples: 0 };
  private readonly loss: CandidateLoss;
  private readonly inputGrad: SparseGrad;
  private readonly outputGrad: SparseGrad;
  private readonly denseGrad: Float32Array;
  private readonly guard: UpdateGuard;
  private readonly negs: Int32Array;
  private readonly negSlots: Int32Array;
  private readonly contextScratch: Int32Array;
  private targets = new Int32Array(0);
  private targetCorrection = new Float64Array(0);
  private ds = new Float32Array(0);

  constructor(
    private readonly options: SessionModelOptions,
    private readonly params: ModelParams,
    private readonly vocabulary: Vocabulary,
    private readonly encoder: SessionEncoder,
    private readonly sampler: NegativeSampler,
  ) {
    this.learningRate = options.learningRate;
    this.loss = new CandidateLoss(params, options.negatives, options.loss);
    this.inputGrad = new SparseGrad(params.dim, params.maxItems);
    this.outputGrad = new SparseGrad(params.dim, params.maxItems);
    this.denseGrad = new Float32Array(params.dense.length);
    this.guard = new UpdateGuard(params);
    this.negs = new Int32Array(options.negatives);
    this.negSlots = new Int32Array(options.negatives);
    this.contextScratch = new Int32Array(options.maxContext);
  }

  train(examples: readonly TrainingExample[]): BatchResult {
    const count = this.prepare(examples);
    const skipped = examples.length - count;
    this.counters.skippedExamples += skipped;
    if (count === 0) return { loss: 0, examples: 0, skipped, status: 'empty' };
    this.counters.batches += 1;
    this.counters.examples += count;
    this.drawNegatives();

    this.encoder.forward();
    const loss = this.loss.compute(this.encoder.sessions, this.targets, this.targetCorrection, this.negs, count, true);
    this.backward(count);
    const status = this.apply(count, loss);
    if (Number.isFinite(loss)) {
      const alpha = this.options.lossSmoothing;
      this.rollingLoss = this.rollingLoss === null ? loss : (1 - alpha) * this.rollingLoss + alpha * loss;
    }
    this.inputGrad.clear();
    this.outputGrad.clear();
    return { loss, examples: count, skipped, status };
  }

  /** Maps ids to rows (adding new items), counts targets, loads the encoder; returns examples kept. */
  private prepare(examples: readonly TrainingExample[]): number {
    const l = this.options.maxContext;
    if (this.targets.length < examples.length) {
      this.targets = new Int32Array(examples.length);
      this.targetCorrection = new Float64Array(examples.length);
      this.ds = new Float32Array(examples.length * this.params.dim);
    }
    this.encoder.reset(examples.length);
    let count = 0;
    batchRows(examples, l, (item) => this.addItem(item), this.contextScratch, (target, length) => {
      this.encoder.setContext(count, this.contextScratch.subarray(0, length));
      this.targets[count] = target;
      this.params.counts[target] = (this.params.counts[target] ?? 0) + 1;
      count += 1;
    });
    this.encoder.count = count;
    return count;
  }

  private addItem(item: string): number {
    const before = this.vocabulary.size;
    const index = this.vocabulary.add(item);
    if (index >= before) this.params.initRow(index);
    return index;
  }

  private drawNegatives(): void {
    const { samplerRefresh, negatives, seed } = this.options;
    if ((this.counters.batches - 1) % samplerRefresh === 0 || this.sampler.total <= 0) {
      this.sampler.rebuild(this.params.counts, this.vocabulary.size);
    }
    // A generator per batch seeded by the batch number: no hidden stream state to snapshot.
    const random = mulberry32((seed ^ Math.imul(this.counters.batches, 0x85ebca6b)) >>> 0);
    this.sampler.sample(this.negs, negatives, random);
    for (let j = 0; j < negatives; j += 1) {
      this.loss.negativeCorrection[j] = -Math.log(negatives * this.sampler.probability(this.negs[j] ?? 0));
    }
    for (let n = 0; n < this.encoder.count; n += 1) {
      this.targetCorrection[n] = -Math.log(negatives * this.sampler.probability(this.targets[n] ?? 0));
    }
  }

  private backward(count: number): void {
    const d = this.params.dim;
    const k = this.options.negatives;
    const width = k + 1;
    const { output } = this.params;
    const decode = HALF;
    const sessions = this.encoder.sessions;
    const grads = this.loss.logits;
    const out = this.outputGrad;
    this.denseGrad.fill(0);
    for (let j = 0; j < k; j += 1) this.negSlots[j] = out.slot(this.negs[j] ?? 0);
    for (let n = 0; n < count; n += 1) out.slot(this.targets[n] ?? 0);
    // Slots are all allocated now, so the value arrays will not be swapped under the loops below.
    const values = out.values;
    const scalars = out.scalars;
    const ds = this.ds;
    ds.fill(0, 0, count * d);
    for (let n = 0; n < count; n += 1) {
      const so = n * d;
      const go = n * width;
      for (let j = 0; j < width; j += 1) {
        const g = grads[go + j] ?? 0;
        if (g === 0) continue;
        const item = j === 0 ? (this.targets[n] ?? 0) : (this.negs[j - 1] ?? 0);
        const slot = j === 0 ? out.slot(item) : (this.negSlots[j - 1] ?? 0);
        const vo = slot * d;
        const ro = item * d;
        scalars[slot] = (scalars[slot] ?? 0) + g;
        for (let c = 0; c < d; c += 1) {
          values[vo + c] = (values[vo + c] ?? 0) + g * (sessions[so + c] ?? 0);
          ds[so + c] = (ds[so + c] ?? 0) + g * (decode[output[ro + c] ?? 0] ?? 0);
        }
      }
      this.encoder.backwardOne(n, ds, so, this.inputGrad, this.denseGrad);
    }
  }

  private apply(count: number, preLoss: number): BatchStatus {
    const p = this.params;
    const lr = this.learningRate;
    const clip = this.options.clipNorm;
    const gradsFinite =
      Number.isFinite(preLoss) &&
      allFinite(this.inputGrad.values, this.inputGrad.count * p.dim) &&
      allFinite(this.outputGrad.values, this.outputGrad.count * p.dim) &&
      allFinite(this.outputGrad.scalars, this.outputGrad.count) &&
      allFinite(this.denseGrad);
    if (!gradsFinite) {
      this.counters.skippedNonFinite += 1;
      return 'non-finite';
    }
    this.guard.capture(this.inputGrad, this.outputGrad);
    const { a, p: pOff, pos, length } = p.layout;
    const step = this.counters.batches;
    let finite = applyHalfRows(p.input, p.inputAcc, this.inputGrad, lr, clip, 2 * step);
    finite = applyHalfRows(p.output, p.outputAcc, this.outputGrad, lr, clip, 2 * step + 1) && finite;
    finite = applyScalars(p.bias, p.biasAcc, this.outputGrad, lr, clip) && finite;
    finite = applyDense(p.dense, p.denseAcc, this.denseGrad, a, pOff, lr, clip) && finite;
    finite = applyDense(p.dense, p.denseAcc, this.denseGrad, pOff, pos, lr, clip) && finite;
    finite = applyDense(p.dense, p.denseAcc, this.denseGrad, pos, length, lr, clip) && finite;
    if (!finite) {
      this.guard.restore(this.inputGrad, this.outputGrad);
      this.counters.skippedNonFinite += 1;
      return 'non-finite';
    }
    const factor = this.options.rollbackFactor;
    if (factor > 0) {
      this.encoder.forward();
      const postLoss = this.loss.compute(this.encoder.sessions, this.targets, this.targetCorrection, this.negs, count, false);
      const reference = this.rollingLoss ?? preLoss;
      if (!(postLoss <= factor * reference)) {
        this.guard.restore(this.inputGrad, this.outputGrad);
        this.counters.rolledBack += 1;
        return 'rolled-back';
      }
    }
    this.counters.updates += 1;
    return 'applied';
  }
}

/**
 * The one order in which a batch's items take vocabulary rows: each example's target first and, when
 * the target got a row, its context (up to `maxContext`, rows into `scratch`). The trainer and the
 * mirror of a training thread both walk it, so their vocabularies agree row for row.
 */
export function batchRows(
  examples: readonly TrainingExample[],
  maxContext: number,
  add: (item: string) => number,
  scratch: Int32Array,
  kept: (target: number, contextLength: number) => void,
): void {
  for (const example of examples) {
    const target = add(example.target);
    if (target < 0) continue;
    const limit = Math.min(maxContext, example.context.length);
    for (let i = 0; i < limit; i += 1) scratch[i] = add(example.context[i] ?? '');
    kept(target, limit);
  }
}
