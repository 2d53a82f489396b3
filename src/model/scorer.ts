import type { BatchScorer, OutputTable, TopKBatch } from './batch-scorer.ts';
import { HALF } from './half.ts';

/** scores[j] = s · O[j] + b[j] for every item j below `table.size`. */
export function scoreInto(table: OutputTable, session: Float32Array, sessionOffset: number, out: Float32Array): void {
  const { output, bias, size, dim } = table;
  if (output instanceof Float32Array) {
    for (let j = 0; j < size; j += 1) out[j] = (bias[j] ?? 0) + dotFloat(session, sessionOffset, output, j * dim, dim);
    return;
  }
  for (let j = 0; j < size; j += 1) out[j] = (bias[j] ?? 0) + dotHalf(session, sessionOffset, output, j * dim, dim);
}

/** session[at..at+dim) · the half-precision row at `offset`. */
export function dotHalf(session: Float32Array, at: number, table: Uint16Array, offset: number, dim: number): number {
  const decode = HALF;
  let z = 0;
  for (let c = 0; c < dim; c += 1) z += (session[at + c] ?? 0) * (decode[table[offset + c] ?? 0] ?? 0);
  return z;
}

/** session[at..at+dim) · the float row at `offset`. */
export function dotFloat(session: Float32Array, at: number, table: Float32Array, offset: number, dim: number): number {
  let z = 0;
  for (let c = 0; c < dim; c += 1) z += (session[at + c] ?? 0) * (table[offset + c] ?? 0);
  return z;
}

/**
 * Indices of the k best of `scores[0..size)`, best first, via a size-k min-heap: O(size · log k)
 * and no full sort. Items for which `exclude` is true are passed over; ties keep the lower index.
 */
export function selectTopK(scores: Float32Array, size: number, k: number, exclude?: (index: number) => boolean): { indices: Int32Array; scores: Float32Array } {
  if (k <= 0) return { indices: new Int32Array(0), scores: new Float32Array(0) };
  const heapIdx = new Int32Array(k);
  const heapVal = new Float32Array(k);
  let filled = 0;
  for (let j = 0; j < size; j += 1) {
    const v = scores[j] ?? Number.NEGATIVE_INFINITY;
    if (filled === k && !(v > (heapVal[0] ?? 0))) continue;
    if (exclude !== undefined && exclude(j)) continue;
    if (filled < k) {
      let i = filled;
      filled += 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if ((heapVal[parent] ?? 0) <= v) break;
        heapVal[i] = heapVal[parent] ?? 0;
        heapIdx[i] = heapIdx[parent] ?? 0;
        i = parent;
      }
      heapVal[i] = v;
      heapIdx[i] = j;
    } else {
      siftDown(heapIdx, heapVal, k, j, v);
    }
  }
  const order = Array.from({ length: filled }, (_, i) => i).sort(
    (x, y) => (heapVal[y] ?? 0) - (heapVal[x] ?? 0) || (heapIdx[x] ?? 0) - (heapIdx[y] ?? 0),
  );
  return {
    indices: Int32Array.from(order, (i) => heapIdx[i] ?? 0),
    scores: Float32Array.from(order, (i) => heapVal[i] ?? 0),
  };
}

function siftDown(heapIdx: Int32Array, heapVal: Float32Array, k: number, index: number, value: number): void {
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= k) break;
    const right = left + 1;
    const child = right < k && (heapVal[right] ?? 0) < (heapVal[left] ?? 0) ? right : left;
    if ((heapVal[child] ?? 0) >= value) break;
    heapVal[i] = heapVal[child] ?? 0;
    heapIdx[i] = heapIdx[child] ?? 0;
    i = child;
  }
  heapVal[i] = value;
  heapIdx[i] = index;
}

/** Pure TypeScript `BatchScorer`: one dot-product pass per session; the default, and the reference. */
export class TypedArrayScorer implements BatchScorer {
  readonly name = 'typed-array';
  private scores = new Float32Array(0);

  topK(sessions: Float32Array, count: number, k: number, table: OutputTable): Promise<TopKBatch> {
    if (this.scores.length < table.size) this.scores = new Float32Array(table.size);
    const indices = new Int32Array(count * k).fill(-1);
    const scores = new Float32Array(count * k).fill(Number.NEGATIVE_INFINITY);
    for (let n = 0; n < count; n += 1) {
      scoreInto(table, sessions, n * table.dim, this.scores);
      const best = selectTopK(this.scores, table.size, k);
      indices.set(best.indices, n * k);
      scores.set(best.scores, n * k);
    }
    return Promise.resolve({ k, indices, scores });
  }
}
