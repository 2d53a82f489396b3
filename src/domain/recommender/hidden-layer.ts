import { mulberry32 } from '../random.ts';
import { FEATURE_COUNT } from './features.ts';

/** One head's non-linear part in a checkpoint: input weights feature-major (FEATURE_COUNT rows of `units`), then the output weights. */
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
 * pass walks only a row's non-zero features, each adding one contiguous run of U to the activations.
 * A head never trained (all output weights zero: the purchase head until the first purchase) adds
 * exactly 0, so it is not computed at all.
 */
export class HiddenLayer {
  /** U, feature-major: feature f's weights into every unit at [f·units, (f+1)·units). */
  readonly input: Float64Array;
  readonly output: Float64Array;
  private readonly inputSquared: Float64Array;
  private readonly outputSquared: Float64Array;
  private readonly inputGradient: Float64Array;
  private readonly outputGradient: Float64Array;
  private readonly varying = new Int32Array(FEATURE_COUNT);
  private readonly constant = new Int32Array(FEATURE_COUNT);
  /** Non-zero constant columns found by the last `foldColumns`. */
  private constants = 0;
  private readonly unitSums: Float64Array;
  private readonly unitCoefficients: Float64Array;
  private readonly shared: Float64Array;
  private readonly activation: Float64Array;
  /** False while every output weight is zero (the layer adds nothing). */
  private live = false;

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
    this.shared = new Float64Array(units);
    this.unitSums = new Float64Array(units);
    this.unitCoefficients = new Float64Array(units);
  }

  /**
   * Adds v·relu(U·x) of rows 0..count−1 to `out`. Columns equal on every row (the bias and the
   * request features) are folded into the activations once per call rather than once per row, which
   * more than halves the work on a typical pool.
   */
  forwardAll(x: Float64Array, count: number, out: Float64Array): void {
    if (!this.live || count === 0) return;
    const { units, output } = this;
    const varying = this.foldColumns(x, count);
    const a = this.activation;
    for (let i = 0; i < count; i += 1) {
      this.preActivate(x, i, varying);
      let z = 0;
      for (let h = 0; h < units; h += 1) {
        const pre = a[h] ?? 0;
        if (pre > 0) z += (output[h] ?? 0) * pre;
      }
      out[i] = (out[i] ?? 0) + z;
    }
  }

  /**
   * Sorts the columns of rows 0..count−1 into varying ones (`varying`, returned: how many) and ones
   * equal on every row (`constant`, non-zero ones only, `constants` of them), whose part of every
   * unit's pre-activation goes into `shared` once.
   */
  private foldColumns(x: Float64Array, count: number): number {
    // Locals, not the imported binding or fields, in the loops (see model/half.ts: imports read in hot loops were slow).
    const features = FEATURE_COUNT;
    const { units, shared, input } = this;
    const varyingColumns = this.varying;
    const constantColumns = this.constant;
    shared.fill(0);
    let varying = 0;
    let constants = 0;
    for (let f = 0; f < features; f += 1) {
      const first = x[f] ?? 0;
      let constant = true;
      for (let i = 1; i < count && constant; i += 1) constant = (x[i * features + f] ?? 0) === first;
      if (!constant) varyingColumns[varying++] = f;
      else if (first !== 0) {
        constantColumns[constants++] = f;
        for (let h = 0; h < units; h += 1) shared[h] = (shared[h] ?? 0) + (input[f * units + h] ?? 0) * first;
      }
    }
    this.constants = constants;
    return varying;
  }

  /** U·x of row `row` (before the ReLU) into `activation`: `shared` plus the row's varying columns. */
  private preActivate(x: Float64Array, row: number, varying: number): void {
    const { units, input } = this;
    const varyingColumns = this.varying;
    const a = this.activation;
    a.set(this.shared);
    const base = row * FEATURE_COUNT;
    for (let j = 0; j < varying; j += 1) {
      const f = varyingColumns[j] ?? 0;
      const v = x[base + f] ?? 0;
      if (v === 0) continue;
      const w = f * units;
      for (let h = 0; h < units; h += 1) a[h] = (a[h] ?? 0) + (input[w + h] ?? 0) * v;
    }
  }

  /** relu(U·x) of row `row` into the scratch buffer. */
  private activate(x: Float64Array, row: number): void {
    const units = this.units;
    const a = this.activation;
    a.fill(0);
    const base = row * FEATURE_COUNT;
    for (let f = 0; f < FEATURE_COUNT; f += 1) {
      const v = x[base + f] ?? 0;
      if (v === 0) continue;
      const w = f * units;
      for (let h = 0; h < units; h += 1) a[h] = (a[h] ?? 0) + (this.input[w + h] ?? 0) * v;
    }
    for (let h = 0; h < units; h += 1) if (!((a[h] ?? 0) > 0)) a[h] = 0;
  }

  /** Adds `coefficient` times the gradient of row `row`'s output to the pending step. */
  accumulate(x: Float64Array, row: number, coefficient: number): void {
    this.activate(x, row);
    const units = this.units;
    const base = row * FEATURE_COUNT;
    for (let h = 0; h < units; h += 1) this.outputGradient[h] = (this.outputGradient[h] ?? 0) + coefficient * (this.activation[h] ?? 0);
    if (!this.live) return;
    for (let f = 0; f < FEATURE_COUNT; f += 1) {
      const v = coefficient * (x[base + f] ?? 0);
      if (v === 0) continue;
      const w = f * units;
      for (let h = 0; h < units; h += 1) {
        // Only units active on this row pass gradient back (ReLU).
        if ((this.activation[h] ?? 0) > 0) this.inputGradient[w + h] = (this.inputGradient[w + h] ?? 0) + (this.output[h] ?? 0) * v;
      }
    }
  }

  /**
   * Adds `coefficients[i]` times the gradient of row i's output, for every row 0..count−1, to the
   * pending step: the listwise step's backward pass over the whole pool. Equal to `accumulate` per row,
   * but columns equal on every row (the bias and the request features) are folded once per call, as in
   * `forwardAll`, and their input gradient is added once from the summed unit coefficients.
   */
  accumulateAll(x: Float64Array, count: number, coefficients: Float64Array): void {
    if (count === 0) return;
    const features = FEATURE_COUNT;
    const { units, output, inputGradient, outputGradient } = this;
    const live = this.live;
    const varyingColumns = this.varying;
    const constantColumns = this.constant;
    const varying = this.foldColumns(x, count);
    const constants = this.constants;
    const a = this.activation;
    // Per unit: the summed coefficient·output of the rows where it is active (for the constant columns).
    const unitSums = this.unitSums;
    const unitCoefficients = this.unitCoefficients;
    unitSums.fill(0);
    for (let i = 0; i < count; i += 1) {
      const c = coefficients[i] ?? 0;
      if (c === 0) continue;
      this.preActivate(x, i, varying);
      const base = i * features;
      for (let h = 0; h < units; h += 1) {
        const pre = a[h] ?? 0;
        if (pre > 0) {
          outputGradient[h] = (outputGradient[h] ?? 0) + c * pre;
          unitCoefficients[h] = c * (output[h] ?? 0);
        } else {
          unitCoefficients[h] = 0;
        }
      }
      if (!live) continue;
      for (let h = 0; h < units; h += 1) unitSums[h] = (unitSums[h] ?? 0) + (unitCoefficients[h] ?? 0);
      for (let j = 0; j < varying; j += 1) {
        const f = varyingColumns[j] ?? 0;
        const v = x[base + f] ?? 0;
        if (v === 0) continue;
        const w = f * units;
        for (let h = 0; h < units; h += 1) inputGradient[w + h] = (inputGradient[w + h] ?? 0) + (unitCoefficients[h] ?? 0) * v;
      }
    }
    if (!live) return;
    for (let j = 0; j < constants; j += 1) {
      const f = constantColumns[j] ?? 0;
      const v = x[f] ?? 0;
      const w = f * units;
      for (let h = 0; h < units; h += 1) inputGradient[w + h] = (inputGradient[w + h] ?? 0) + (unitSums[h] ?? 0) * v;
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
      this.live = this.output.some((v) => v !== 0);
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
    this.changed();
  }

  /** Call after `input`/`output` were changed from outside (another process's delta). */
  changed(): void {
    this.live = this.output.some((v) => v !== 0);
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
