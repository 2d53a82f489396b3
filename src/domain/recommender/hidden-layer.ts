import { mulberry32 } from '../random.ts';
import { FEATURE_COUNT } from './features.ts';

/** One head's non-linear part in a checkpoint: `units` rows of FEATURE_COUNT input weights, then the output weights. */
export interface HiddenSnapshot {
  readonly units: number;
  readonly input: readonly number[];
  readonly output: readonly number[];
  readonly inputSquared: readonly number[];
  readonly outputSquared: readonly number[];
}

/**
 * A ReLU hidden layer added to a linear head: the head scores w·x + v·relu(U·x). The output weights v
 * start at zero, so a fresh head ranks exactly as its linear priors do and the layer only grows in as
 * feedback proves it useful (an online ranker must never start worse than the linear one). U starts
 * random (seeded, so runs repeat) to break the symmetry between units; the bias feature gives each
 * unit its threshold. Rows are sparse (most candidates come from one or two sources), so the forward
 * pass walks only a row's non-zero features.
 */
export class HiddenLayer {
  /** U, row-major: unit h's input weights at [h·FEATURE_COUNT, (h+1)·FEATURE_COUNT). */
  readonly input: Float64Array;
  readonly output: Float64Array;
  private readonly inputSquared: Float64Array;
  private readonly outputSquared: Float64Array;
  private readonly inputGradient: Float64Array;
  private readonly outputGradient: Float64Array;
  private readonly nonZero = new Int32Array(FEATURE_COUNT);
  private readonly activation: Float64Array;

  constructor(
    readonly units: number,
    seed: number,
  ) {
    const random = mulberry32(seed);
    // Glorot-uniform: unit pre-activations start on the scale of the inputs, whatever the width.
    const range = Math.sqrt(6 / (FEATURE_COUNT + units));
    this.input = Float64Array.from({ length: units * FEATURE_COUNT }, () => (2 * random() - 1) * range);
    this.output = new Float64Array(units);
    // Adagrad accumulators start at 1, as the linear weights' do: the first steps are not huge.
    this.inputSquared = new Float64Array(units * FEATURE_COUNT).fill(1);
    this.outputSquared = new Float64Array(units).fill(1);
    this.inputGradient = new Float64Array(units * FEATURE_COUNT);
    this.outputGradient = new Float64Array(units);
    this.activation = new Float64Array(units);
  }

  /** v·relu(U·x) of row `row` of `x`, leaving the unit activations in the scratch buffer. */
  forward(x: Float64Array, row: number): number {
    const base = row * FEATURE_COUNT;
    let nnz = 0;
    for (let f = 0; f < FEATURE_COUNT; f += 1) if ((x[base + f] ?? 0) !== 0) this.nonZero[nnz++] = f;
    let out = 0;
    for (let h = 0; h < this.units; h += 1) {
      const w = h * FEATURE_COUNT;
      let a = 0;
      for (let j = 0; j < nnz; j += 1) {
        const f = this.nonZero[j] ?? 0;
        a += (this.input[w + f] ?? 0) * (x[base + f] ?? 0);
      }
      const relu = a > 0 ? a : 0;
      this.activation[h] = relu;
      out += (this.output[h] ?? 0) * relu;
    }
    return out;
  }

  /** Adds `coefficient` times the gradient of row `row`'s output to the pending step. */
  accumulate(x: Float64Array, row: number, coefficient: number): void {
    this.forward(x, row);
    const base = row * FEATURE_COUNT;
    for (let h = 0; h < this.units; h += 1) {
      const relu = this.activation[h] ?? 0;
      if (relu <= 0) continue;
      this.outputGradient[h] = (this.outputGradient[h] ?? 0) + coefficient * relu;
      const back = coefficient * (this.output[h] ?? 0);
      if (back === 0) continue;
      const w = h * FEATURE_COUNT;
      for (let f = 0; f < FEATURE_COUNT; f += 1) {
        const v = x[base + f] ?? 0;
        if (v !== 0) this.inputGradient[w + f] = (this.inputGradient[w + f] ?? 0) + back * v;
      }
    }
  }

  /** Whether the pending step is finite (a non-finite one must be dropped, not applied). */
  pendingFinite(): boolean {
    return this.inputGradient.every(Number.isFinite) && this.outputGradient.every(Number.isFinite);
  }

  /** Applies the pending step with Adagrad (or drops it) and clears it. */
  step(learningRate: number, apply: boolean): void {
    if (apply) {
      adagrad(this.output, this.outputSquared, this.outputGradient, learningRate);
      adagrad(this.input, this.inputSquared, this.inputGradient, learningRate);
    }
    this.outputGradient.fill(0);
    this.inputGradient.fill(0);
  }

  snapshot(): HiddenSnapshot {
    return { units: this.units, input: [...this.input], output: [...this.output], inputSquared: [...this.inputSquared], outputSquared: [...this.outputSquared] };
  }

  /** Whether `snapshot` has this layer's shape (a checkpoint of another width must be refused whole). */
  fits(snapshot: HiddenSnapshot): boolean {
    const inputs = this.units * FEATURE_COUNT;
    return (
      snapshot.units === this.units &&
      snapshot.input.length === inputs &&
      snapshot.inputSquared.length === inputs &&
      snapshot.output.length === this.units &&
      snapshot.outputSquared.length === this.units
    );
  }

  restore(snapshot: HiddenSnapshot): void {
    this.input.set(snapshot.input);
    this.output.set(snapshot.output);
    this.inputSquared.set(snapshot.inputSquared);
    this.outputSquared.set(snapshot.outputSquared);
  }
}

function adagrad(weights: Float64Array, squared: Float64Array, gradient: Float64Array, learningRate: number): void {
  for (let i = 0; i < weights.length; i += 1) {
    const g = gradient[i] ?? 0;
    if (g === 0) continue;
    const s = (squared[i] ?? 1) + g * g;
    squared[i] = s;
    weights[i] = (weights[i] ?? 0) - (learningRate * g) / Math.sqrt(s);
  }
}
