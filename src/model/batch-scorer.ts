/** A read-only view of the output side of the model: what full-catalogue scoring needs. */
export interface OutputTable {
  /**
   * Row vectors, `dim` per item, row-major [size × dim] (the array may be longer): half-precision bits
   * (`HALF` decodes them) for the model's output embeddings, floats for the catalogue's item vectors.
   */
  readonly output: Uint16Array | Float32Array;
  readonly bias: Float32Array;
  /** Items to score (rows 0..size). */
  readonly size: number;
  readonly dim: number;
  /** Model version the table belongs to; scorers that cache a copy use it to decide on a refresh. */
  readonly version: number;
}

/** Top-k of a batch of sessions: `k` entries per session, best first (fewer items: padded with -1). */
export interface TopKBatch {
  readonly k: number;
  readonly indices: Int32Array;
  readonly scores: Float32Array;
}

/**
 * Scores a batch of session vectors against every item and keeps the top k: the hook through which
 * an accelerated backend (tfjs wasm / native) serves `SessionModel.topKBatch`. The model package
 * defines it so it never imports a tensor library itself.
 */
export interface BatchScorer {
  readonly name: string;
  /** `sessions` holds `count` vectors of `table.dim` floats. */
  topK(sessions: Float32Array, count: number, k: number, table: OutputTable): Promise<TopKBatch>;
}
