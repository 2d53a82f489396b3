import { mulberry32 } from '../domain/random.ts';
import type { OutputTable } from './batch-scorer.ts';
import { dotFloat, dotHalf, selectTopK } from './scorer.ts';
import { readRow } from './half.ts';

/**
 * An inverted-file index over the model's output embeddings: rows grouped by their nearest k-means
 * centroid. A query scores the centroids, then only the rows of the few best clusters, so "the items
 * nearest to this session vector" costs a few hundred dot products instead of one per known item.
 * Rows added after the build join their nearest cluster as they come (`extendClusterIndex`).
 */
export interface ClusterIndex {
  /** Rows covered: 0 … size − 1. */
  readonly size: number;
  readonly clusters: number;
  readonly dim: number;
  /** `clusters × (dim + 1)` centroids of the rows' [embedding, bias] vectors. */
  readonly centroids: Float32Array;
  /** Rows of cluster c are `members[offsets[c]] … members[offsets[c + 1] − 1]`. */
  readonly offsets: Int32Array;
  readonly members: Int32Array;
  /** Rows added after the build, put in their nearest cluster (`extendClusterIndex`), per cluster. */
  readonly appended: number[][];
  /** Rows placed so far (built and appended): 0 … covered − 1. */
  covered: number;
}

/** Rows the centroids are trained on (a random sample); all rows are assigned afterwards. */
const TRAINING_SAMPLE = 8192;
const ITERATIONS = 3;

/** About 2·√n clusters: a query then reads ~2·√n centroids plus a few clusters of ~√n/2 rows. */
export function clusterCount(size: number): number {
  return Math.max(1, Math.min(size, Math.round(2 * Math.sqrt(size))));
}

/**
 * k-means (Lloyd, Euclidean) over a sample of the rows, then every row assigned to its nearest
 * centroid. Rows are clustered as [embedding, bias], so that a query [session, 1] scores a centroid
 * the way it scores the rows (bias included): popular items are not lost to the cluster choice.
 */
export function buildClusterIndex(table: OutputTable, seed: number): ClusterIndex {
  const { size, dim: d } = table;
  const dim = d + 1;
  const output = new Float32Array(size * dim);
  for (let row = 0; row < size; row += 1) {
    readRow(table.output, row * d, d, output, row * dim);
    output[row * dim + d] = table.bias[row] ?? 0;
  }
  const clusters = clusterCount(size);
  const random = mulberry32(seed >>> 0);
  const order = new Int32Array(size);
  for (let i = 0; i < size; i += 1) order[i] = i;
  const sampleSize = Math.min(size, Math.max(TRAINING_SAMPLE, clusters));
  for (let i = 0; i < sampleSize; i += 1) {
    const j = i + Math.floor(random() * (size - i));
    const t = order[i] ?? 0;
    order[i] = order[j] ?? 0;
    order[j] = t;
  }
  const sample = order.subarray(0, sampleSize);
  const centroids = new Float32Array(clusters * dim);
  for (let c = 0; c < clusters; c += 1) centroids.set(output.subarray((sample[c] ?? 0) * dim, ((sample[c] ?? 0) + 1) * dim), c * dim);

  const halfNorms = new Float32Array(clusters);
  const assignment = new Int32Array(size);
  const sums = new Float64Array(clusters * dim);
  const counts = new Int32Array(clusters);
  for (let iteration = 0; iteration < ITERATIONS; iteration += 1) {
    computeHalfNorms(centroids, clusters, dim, halfNorms);
    sums.fill(0);
    counts.fill(0);
    for (const row of sample) {
      const c = nearestCentroid(output, row * dim, centroids, halfNorms, clusters, dim);
      counts[c] = (counts[c] ?? 0) + 1;
      for (let k = 0; k < dim; k += 1) sums[c * dim + k] = (sums[c * dim + k] ?? 0) + (output[row * dim + k] ?? 0);
    }
    for (let c = 0; c < clusters; c += 1) {
      const n = counts[c] ?? 0;
      // An empty cluster keeps its centroid: it may still gather rows in the full assignment.
      if (n > 0) for (let k = 0; k < dim; k += 1) centroids[c * dim + k] = (sums[c * dim + k] ?? 0) / n;
    }
  }
  computeHalfNorms(centroids, clusters, dim, halfNorms);
  counts.fill(0);
  for (let row = 0; row < size; row += 1) {
    const c = nearestCentroid(output, row * dim, centroids, halfNorms, clusters, dim);
    assignment[row] = c;
    counts[c] = (counts[c] ?? 0) + 1;
  }
  const offsets = new Int32Array(clusters + 1);
  for (let c = 0; c < clusters; c += 1) offsets[c + 1] = (offsets[c] ?? 0) + (counts[c] ?? 0);
  const fill = offsets.slice(0, clusters);
  const members = new Int32Array(size);
  for (let row = 0; row < size; row += 1) {
    const c = assignment[row] ?? 0;
    members[fill[c] ?? 0] = row;
    fill[c] = (fill[c] ?? 0) + 1;
  }
  return { size, clusters, dim: d, centroids, offsets, members, appended: Array.from({ length: clusters }, () => []), covered: size };
}

/** Puts the rows added since the last call (`covered` … `table.size − 1`) in their nearest clusters. */
export function extendClusterIndex(index: ClusterIndex, table: OutputTable): void {
  const { dim, clusters, centroids } = index;
  const width = dim + 1;
  const vector = new Float32Array(dim);
  for (let row = index.covered; row < table.size; row += 1) {
    readRow(table.output, row * dim, dim, vector);
    let best = 0;
    let bestValue = Number.POSITIVE_INFINITY;
    for (let c = 0; c < clusters; c += 1) {
      let distance = ((table.bias[row] ?? 0) - (centroids[c * width + dim] ?? 0)) ** 2;
      for (let k = 0; k < dim; k += 1) distance += ((vector[k] ?? 0) - (centroids[c * width + k] ?? 0)) ** 2;
      if (distance < bestValue) {
        bestValue = distance;
        best = c;
      }
    }
    index.appended[best]?.push(row);
  }
  index.covered = Math.max(index.covered, table.size);
}

/**
 * The `k` best rows (bias + session · output) among the rows of the `probes` clusters whose centroids
 * score best for `session` (appended rows included), plus every row not placed yet; best first.
 */
export function searchClusterIndex(
  index: ClusterIndex,
  table: OutputTable,
  session: Float32Array,
  k: number,
  probes: number,
  exclude?: (row: number) => boolean,
): { indices: Int32Array; scores: Float32Array } {
  const { dim, clusters, centroids, offsets, members } = index;
  const centroidScores = grownFloat(scratch.centroids, clusters);
  scratch.centroids = centroidScores;
  for (let c = 0; c < clusters; c += 1) centroidScores[c] = dotFloat(session, 0, centroids, c * (dim + 1), dim) + (centroids[c * (dim + 1) + dim] ?? 0);
  const best = selectTopK(centroidScores, clusters, Math.min(probes, clusters));
  let count = Math.max(0, table.size - index.covered);
  for (const c of best.indices) count += (offsets[c + 1] ?? 0) - (offsets[c] ?? 0) + (index.appended[c]?.length ?? 0);
  if (scratch.rows.length < count) scratch.rows = new Int32Array(Math.max(count, 2 * scratch.rows.length));
  const rows = scratch.rows;
  const scores = grownFloat(scratch.scores, count);
  scratch.scores = scores;
  let n = 0;
  const { output, bias } = table;
  const add = (row: number): void => {
    rows[n] = row;
    scores[n] = (bias[row] ?? 0) + (output instanceof Float32Array ? dotFloat(session, 0, output, row * dim, dim) : dotHalf(session, 0, output, row * dim, dim));
    n += 1;
  };
  for (const c of best.indices) {
    for (let i = offsets[c] ?? 0; i < (offsets[c + 1] ?? 0); i += 1) add(members[i] ?? 0);
    for (const row of index.appended[c] ?? []) if (row < table.size) add(row);
  }
  for (let row = index.covered; row < table.size; row += 1) add(row);
  const top = selectTopK(scores, n, k, exclude === undefined ? undefined : (slot) => exclude(rows[slot] ?? 0));
  return { indices: Int32Array.from(top.indices, (slot) => rows[slot] ?? 0), scores: top.scores };
}

/**
 * Buffers reused by every search on this thread (one search runs at a time): a query would otherwise
 * allocate a few KiB of typed arrays, outside V8's heap, twice per list.
 */
const scratch = { centroids: new Float32Array(0), rows: new Int32Array(0), scores: new Float32Array(0) };

function grownFloat(buffer: Float32Array<ArrayBuffer>, length: number): Float32Array<ArrayBuffer> {
  return buffer.length >= length ? buffer : new Float32Array(Math.max(length, 2 * buffer.length));
}

function computeHalfNorms(centroids: Float32Array, clusters: number, dim: number, out: Float32Array): void {
  for (let c = 0; c < clusters; c += 1) {
    let s = 0;
    for (let k = 0; k < dim; k += 1) s += (centroids[c * dim + k] ?? 0) ** 2;
    out[c] = s / 2;
  }
}

/** argmin ‖x − c‖² = argmax (x · c − ‖c‖² / 2). */
function nearestCentroid(output: Float32Array, offset: number, centroids: Float32Array, halfNorms: Float32Array, clusters: number, dim: number): number {
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < clusters; c += 1) {
    let z = 0;
    const base = c * dim;
    for (let k = 0; k < dim; k += 1) z += (output[offset + k] ?? 0) * (centroids[base + k] ?? 0);
    const value = z - (halfNorms[c] ?? 0);
    if (value > bestValue) {
      bestValue = value;
      best = c;
    }
  }
  return best;
}
