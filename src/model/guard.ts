import type { ModelParams } from './params.ts';
import type { SparseGrad } from './sparse-grad.ts';

/**
 * Copy of every parameter one update may write (the touched embedding rows with their accumulators,
 * and the small dense block), so a non-finite or destructive update can be undone exactly.
 */
export class UpdateGuard {
  private inputRows = new Uint16Array(0);
  private inputAcc = new Float32Array(0);
  private outputRows = new Uint16Array(0);
  private outputScalars = new Float32Array(0);
  private readonly dense: Float32Array;
  private readonly denseAcc: Float32Array;

  constructor(private readonly params: ModelParams) {
    this.dense = new Float32Array(params.dense.length);
    this.denseAcc = new Float32Array(params.dense.length);
  }

  capture(input: SparseGrad, output: SparseGrad): void {
    const p = this.params;
    const d = p.dim;
    if (this.inputRows.length < input.count * d) {
      this.inputRows = new Uint16Array(input.rows.length * d);
      this.inputAcc = new Float32Array(input.rows.length);
    }
    if (this.outputRows.length < output.count * d) {
      this.outputRows = new Uint16Array(output.rows.length * d);
      this.outputScalars = new Float32Array(output.rows.length * 3);
    }
    for (let slot = 0; slot < input.count; slot += 1) {
      const row = input.rows[slot] ?? 0;
      this.inputRows.set(p.input.subarray(row * d, (row + 1) * d), slot * d);
      this.inputAcc[slot] = p.inputAcc[row] ?? 0;
    }
    for (let slot = 0; slot < output.count; slot += 1) {
      const row = output.rows[slot] ?? 0;
      this.outputRows.set(p.output.subarray(row * d, (row + 1) * d), slot * d);
      this.outputScalars[3 * slot] = p.outputAcc[row] ?? 0;
      this.outputScalars[3 * slot + 1] = p.bias[row] ?? 0;
      this.outputScalars[3 * slot + 2] = p.biasAcc[row] ?? 0;
    }
    this.dense.set(p.dense);
    this.denseAcc.set(p.denseAcc);
  }

  /** Writes back what `capture` saw; the gradients must still describe the same rows. */
  restore(input: SparseGrad, output: SparseGrad): void {
    const p = this.params;
    const d = p.dim;
    for (let slot = 0; slot < input.count; slot += 1) {
      const row = input.rows[slot] ?? 0;
      p.input.set(this.inputRows.subarray(slot * d, (slot + 1) * d), row * d);
      p.inputAcc[row] = this.inputAcc[slot] ?? 0;
    }
    for (let slot = 0; slot < output.count; slot += 1) {
      const row = output.rows[slot] ?? 0;
      p.output.set(this.outputRows.subarray(slot * d, (slot + 1) * d), row * d);
      p.outputAcc[row] = this.outputScalars[3 * slot] ?? 0;
      p.bias[row] = this.outputScalars[3 * slot + 1] ?? 0;
      p.biasAcc[row] = this.outputScalars[3 * slot + 2] ?? 0;
    }
    p.dense.set(this.dense);
    p.denseAcc.set(this.denseAcc);
  }
}
