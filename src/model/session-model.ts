import { RecError } from '../errors.ts';
import { packWeights, weightOf, type ModelArtifacts } from './artifacts.ts';
import type { BatchScorer, OutputTable } from './batch-scorer.ts';
import { SessionEncoder } from './encoder.ts';
import { resolveModelOptions, type SessionModelOptions } from './options.ts';
import { ModelParams, type ParamBuffers, type ParamMemory } from './params.ts';
import { NegativeSampler } from './sampler.ts';
import { scoreInto, selectTopK, TypedArrayScorer } from './scorer.ts';
import { batchRows, Trainer, type BatchResult, type TrainerCounters, type TrainingExample } from './trainer.ts';
import { Vocabulary } from './vocabulary.ts';
import { buildClusterIndex, extendClusterIndex, searchClusterIndex, type ClusterIndex } from './cluster-index.ts';
import { decodeHalf, encodeHalf, HALF } from './half.ts';

/** Below this many items `nearest` scores them all (cheaper than keeping an index fresh). */
const INDEX_MIN_ITEMS = 1024;
/** Clusters read per `nearest` query (of about 2·√items). */
const INDEX_PROBES = 6;
/** Applied updates after which the index is rebuilt even if no items were added. */
const INDEX_REFRESH_VERSIONS = 3000;

/** One recommended item. */
/** Builds a cluster index over the model's output table as it stands when the build runs. */
export type IndexBuilder = (seed: number) => Promise<ClusterIndex>;

export interface Recommendation {
  readonly item: string;
  readonly score: number;
}

/** The model's answers for one encoded context (`SessionModel.query`). */
export interface ModelQuery {
  scoreItems(items: readonly string[], out: Float64Array): void;
  nearest(k: number): Recommendation[];
}

/** What a training thread reports after each batch. */
export interface TrainingProgress {
  readonly counters: TrainerCounters;
  readonly rollingLoss: number | null;
}

/** Health and volume counters of the model. */
export interface ModelStats {
  readonly items: number;
  /** New items refused because the vocabulary was full. */
  readonly unknownItems: number;
  readonly batches: number;
  readonly updates: number;
  readonly skippedNonFinite: number;
  readonly rolledBack: number;
  readonly examples: number;
  readonly skippedExamples: number;
  /** Rolling pre-update (prequential) loss; null before the first batch. */
  readonly rollingLoss: number | null;
}

/**
 * Online next-item model over sessions: learns from (context → next item) micro-batches in one pass
 * and scores the whole catalogue for a context. Pure TypeScript over typed arrays; a tensor backend
 * can serve `topKBatch` through an injected `BatchScorer`.
 *
 * `trainBatch` is synchronous, so on Node's single thread no scoring call ever sees a half-applied
 * update; an asynchronous batch scorer may, however, score against a cached table a few versions old.
 */
export class SessionModel {
  readonly options: SessionModelOptions;
  private readonly params: ModelParams;
  private readonly vocabulary: Vocabulary;
  private readonly sampler: NegativeSampler;
  private readonly trainer: Trainer;
  private readonly scoringEncoder: SessionEncoder;
  private readonly contextScratch: Int32Array;
  private scratchScores = new Float32Array(0);
  private batchScorer: BatchScorer;
  private index: { readonly clusters: ClusterIndex; readonly version: number } | null = null;
  private indexBuilder: IndexBuilder | null = null;
  private indexPending = false;

  /**
   * @param options partial options; see `SessionModelOptions` for the defaults.
   * @param memory `'shared'` puts the parameters in shared memory, so a training thread can attach to
   *   them (`paramBuffers`); buffers attach this model to another's parameters.
   */
  constructor(options: Partial<SessionModelOptions> = {}, batchScorer: BatchScorer = new TypedArrayScorer(), memory: ParamMemory = 'local') {
    this.options = resolveModelOptions(options);
    this.params = new ModelParams(this.options, memory);
    this.vocabulary = new Vocabulary(this.options.maxItems);
    this.sampler = new NegativeSampler(this.options.maxItems, this.options.samplerPower);
    const trainingEncoder = new SessionEncoder(this.params, this.options.maxContext);
    this.trainer = new Trainer(this.options, this.params, this.vocabulary, trainingEncoder, this.sampler);
    this.scoringEncoder = new SessionEncoder(this.params, this.options.maxContext);
    this.contextScratch = new Int32Array(this.options.maxContext);
    this.batchScorer = batchScorer;
  }

  /** Applied updates so far; grows by one per applied `trainBatch`. */
  get version(): number {
    return this.trainer.counters.updates;
  }

  /** Version label for logs and recommendation records, e.g. `attn-d64-v1234`. */
  get modelVersion(): string {
    return `attn-d${this.options.dim}-v${this.version}`;
  }

  /** Items known. */
  get size(): number {
    return this.vocabulary.size;
  }

  /** Bytes held in typed arrays (parameters, optimiser state, sampler); capacity-sized, so constant. */
  get bytes(): number {
    return this.params.bytes + this.sampler.bytes;
  }

  get learningRate(): number {
    return this.trainer.learningRate;
  }

  /** Changes the rate of later batches (a schedule, or damping after incidents). */
  set learningRate(value: number) {
    this.trainer.learningRate = value;
  }

  get stats(): ModelStats {
    const c = this.trainer.counters;
    return {
      items: this.vocabulary.size,
      unknownItems: this.vocabulary.overflow,
      batches: c.batches,
      updates: c.updates,
      skippedNonFinite: c.skippedNonFinite,
      rolledBack: c.rolledBack,
      examples: c.examples,
      skippedExamples: c.skippedExamples,
      rollingLoss: this.trainer.rollingLoss,
    };
  }

  /** The scorer `topKBatch` uses (the typed-array one unless another was injected). */
  get scorerName(): string {
    return this.batchScorer.name;
  }

  setBatchScorer(scorer: BatchScorer): void {
    this.batchScorer = scorer;
  }

  /** The parameters' shared memory (a model built with `memory: 'shared'` or attached buffers). */
  get paramBuffers(): ParamBuffers {
    return this.params.buffers;
  }

  /**
   * For a model whose training runs on another thread over the same parameters: gives the batch's
   * new items their rows in exactly the order `trainBatch` would (target first, none of the context
   * when the target is refused), so both vocabularies agree row for row. Rows are not initialised
   * here: the training side does that, and until then the item scores from zeros.
   */
  reserve(examples: readonly TrainingExample[]): void {
    batchRows(examples, this.options.maxContext, (item) => this.vocabulary.add(item), this.contextScratch, () => undefined);
  }

  /** Takes over the progress the training thread reported (version, counters, rolling loss). */
  adopt(progress: TrainingProgress): void {
    Object.assign(this.trainer.counters, progress.counters);
    this.trainer.rollingLoss = progress.rollingLoss;
  }

  /** Version, counters and rolling loss, as a training thread reports them to its mirror. */
  get progress(): TrainingProgress {
    return { counters: { ...this.trainer.counters }, rollingLoss: this.trainer.rollingLoss };
  }

  /** One online update from a micro-batch (64 is the measured sweet spot). */
  trainBatch(examples: readonly TrainingExample[]): BatchResult {
    return this.trainer.train(examples);
  }

  /** Row index of an item, or -1 when unknown. */
  indexOf(item: string): number {
    return this.vocabulary.lookup(item);
  }

  /** Item id of a row index below `size`. */
  itemAt(index: number): string {
    return this.vocabulary.item(index);
  }

  /** The output side as a read-only view, for batch scorers. */
  outputTable(): OutputTable {
    return { output: this.params.output, bias: this.params.bias, size: this.vocabulary.size, dim: this.options.dim, version: this.version };
  }

  /**
   * Session vectors of `contexts` (newest first) into `out`, `dim` floats each. Unknown items are
   * skipped; a context with no known item gets the zero vector (scores = popularity bias).
   */
  encode(contexts: readonly (readonly string[])[], out: Float32Array): void {
    const d = this.options.dim;
    const chunk = 256;
    for (let start = 0; start < contexts.length; start += chunk) {
      const part = contexts.slice(start, start + chunk);
      this.scoringEncoder.reset(part.length);
      for (const [n, context] of part.entries()) {
        const limit = Math.min(this.options.maxContext, context.length);
        for (let i = 0; i < limit; i += 1) this.contextScratch[i] = this.vocabulary.lookup(context[i] ?? '');
        this.scoringEncoder.setContext(n, this.contextScratch.subarray(0, limit));
      }
      this.scoringEncoder.forward();
      out.set(this.scoringEncoder.sessions.subarray(0, part.length * d), start * d);
    }
  }

  /**
   * Scores the given items for a context (newest first): `out[i]` for `items[i]`, NaN when the item
   * is unknown. One encoding and one dot product per item, so reranking a few hundred candidates is
   * cheap where scoring the whole catalogue is not.
   */
  scoreItems(context: readonly string[], items: readonly string[], out: Float64Array): void {
    this.scoreItemsOf(this.sessionOf(context), items, out);
  }

  /**
   * `scoreItems` and `nearest` for one context from one encoding of it: a candidate pool asks both,
   * and the encoding is a good part of each.
   */
  query(context: readonly string[]): ModelQuery {
    const session = this.sessionOf(context);
    return {
      scoreItems: (items, out) => this.scoreItemsOf(session, items, out),
      nearest: (k) => this.nearestOf(session, k),
    };
  }

  private sessionOf(context: readonly string[]): Float32Array {
    const session = new Float32Array(this.options.dim);
    this.encode([context], session);
    return session;
  }

  private scoreItemsOf(session: Float32Array, items: readonly string[], out: Float64Array): void {
    const d = this.options.dim;
    const { output, bias } = this.params;
    const decode = HALF;
    for (let i = 0; i < items.length; i += 1) {
      const row = this.vocabulary.lookup(items[i] ?? '');
      if (row < 0) {
        out[i] = Number.NaN;
        continue;
      }
      // The bias first, then the products: the summation order the scores were measured with.
      let z = bias[row] ?? 0;
      const base = row * d;
      for (let k = 0; k < d; k += 1) z += (session[k] ?? 0) * (decode[output[base + k] ?? 0] ?? 0);
      out[i] = z;
    }
  }

  /** Fills `out[j]` with the score of item j for every known item; returns how many were written. */
  scoreAll(context: readonly string[], out: Float32Array): number {
    return this.scoreAllOf(this.sessionOf(context), out);
  }

  private scoreAllOf(session: Float32Array, out: Float32Array): number {
    if (out.length < this.vocabulary.size) throw new RangeError(`scoreAll needs room for ${this.vocabulary.size} scores`);
    scoreInto(this.outputTable(), session, 0, out);
    return this.vocabulary.size;
  }

  /**
   * Has `nearest` rebuild its cluster index through `build` (a training thread, which builds it
   * between batches) instead of on the calling thread; `nearest` keeps answering from the previous
   * index meanwhile. A failed build falls back to building on the calling thread.
   */
  setIndexBuilder(build: IndexBuilder | null): void {
    this.indexBuilder = build;
  }

  private requestIndex(build: IndexBuilder | null): void {
    if (build === null || this.indexPending) return;
    this.indexPending = true;
    const version = this.version;
    build(this.options.seed + version).then(
      (clusters) => {
        this.indexPending = false;
        // A build answered after a newer one was adopted (or after a restore) is dropped.
        if (this.index === null || this.index.version <= version) this.index = { clusters, version };
      },
      () => {
        this.indexPending = false;
        if (this.indexBuilder === build) this.indexBuilder = null;
      },
    );
  }

  /**
   * About the k items nearest to the session vector of a context (newest first), best first, through
   * a cluster index over the output embeddings (`searchClusterIndex`): a catalogue-wide candidate
   * source at the cost of a few hundred dot products. New items join their nearest cluster as they
   * come; the index is rebuilt when the items doubled since its build, and every
   * `INDEX_REFRESH_VERSIONS` updates as embeddings move (on the thread given by `setIndexBuilder`, if
   * any); below `INDEX_MIN_ITEMS` items every item is scored.
   */
  nearest(context: readonly string[], k: number): Recommendation[] {
    return this.nearestOf(this.sessionOf(context), k);
  }

  private nearestOf(session: Float32Array, k: number): Recommendation[] {
    const size = this.vocabulary.size;
    if (size < INDEX_MIN_ITEMS) return this.topKOf(session, k);
    const current = this.index;
    const stale = current === null || size > 2 * current.clusters.size || this.version - current.version >= INDEX_REFRESH_VERSIONS;
    // The first index of a table of a few thousand rows is built here (under 0.2 s): waiting for
    // the thread, which can only answer once this thread yields, would cost a full scan per list for the
    // rest of the source batch (thousands of lists when a backlog is drained).
    const firstAndSmall = current === null && size < 4 * INDEX_MIN_ITEMS;
    if (stale && (this.indexBuilder === null || firstAndSmall)) {
      this.index = { clusters: buildClusterIndex(this.outputTable(), this.options.seed + this.version), version: this.version };
    } else {
      if (stale) this.requestIndex(this.indexBuilder);
      // Until the builder answers, the old index serves, with new rows placed in it; before the first one, a full scan.
      if (current === null) return this.topKOf(session, k);
      extendClusterIndex(current.clusters, this.outputTable());
    }
    const clusters = this.index?.clusters;
    if (clusters === undefined) return [];
    const best = searchClusterIndex(clusters, this.outputTable(), session, k, INDEX_PROBES);
    return Array.from(best.indices, (index, i) => ({ item: this.vocabulary.item(index), score: best.scores[i] ?? 0 }));
  }

  /** The k best items for a context, best first (partial selection, no full sort). */
  topK(context: readonly string[], k: number, exclude?: (index: number) => boolean): Recommendation[] {
    return this.topKOf(this.sessionOf(context), k, exclude);
  }

  private topKOf(session: Float32Array, k: number, exclude?: (index: number) => boolean): Recommendation[] {
    if (this.scratchScores.length < this.vocabulary.size) this.scratchScores = new Float32Array(this.params.maxItems);
    const size = this.scoreAllOf(session, this.scratchScores);
    const best = selectTopK(this.scratchScores, size, k, exclude);
    return Array.from(best.indices, (index, i) => ({ item: this.vocabulary.item(index), score: best.scores[i] ?? 0 }));
  }

  /** Top k for many contexts at once, through the batch scorer (where a tensor backend pays off). */
  async topKBatch(contexts: readonly (readonly string[])[], k: number): Promise<Recommendation[][]> {
    const d = this.options.dim;
    const sessions = new Float32Array(contexts.length * d);
    this.encode(contexts, sessions);
    const result = await this.batchScorer.topK(sessions, contexts.length, k, this.outputTable());
    const lists: Recommendation[][] = [];
    for (let n = 0; n < contexts.length; n += 1) {
      const list: Recommendation[] = [];
      for (let i = 0; i < result.k; i += 1) {
        const index = result.indices[n * result.k + i] ?? -1;
        if (index < 0 || index >= this.vocabulary.size) continue;
        list.push({ item: this.vocabulary.item(index), score: result.scores[n * result.k + i] ?? 0 });
      }
      lists.push(list);
    }
    return lists;
  }

  /** A complete snapshot: restoring it gives identical scores and identical further training. */
  toArtifacts(): ModelArtifacts {
    const size = this.vocabulary.size;
    const d = this.options.dim;
    const p = this.params;
    const { weightSpecs, weights } = packWeights([
      // Float32 in snapshots, as before the tables went to half precision: older snapshots still load.
      ['input', halfToFloat(p.input, size * d)],
      ['output', halfToFloat(p.output, size * d)],
      ['bias', p.bias.subarray(0, size)],
      ['inputAcc', p.inputAcc.subarray(0, size)],
      ['outputAcc', p.outputAcc.subarray(0, size)],
      ['biasAcc', p.biasAcc.subarray(0, size)],
      ['counts', p.counts.subarray(0, size)],
      ['samplerWeights', this.sampler.weights.subarray(0, this.sampler.size)],
      ['dense', p.dense],
      ['denseAcc', p.denseAcc],
    ]);
    return {
      meta: {
        format: 'streamrec-session-model',
        formatVersion: 1,
        options: this.options,
        items: [...this.vocabulary.toArray()],
        overflow: this.vocabulary.overflow,
        version: this.version,
        counters: { ...this.trainer.counters },
        rollingLoss: this.trainer.rollingLoss,
        learningRate: this.trainer.learningRate,
      },
      weightSpecs,
      weights,
    };
  }

  /** Rebuilds a model from `toArtifacts()` output (into shared memory or attached buffers with `memory`). */
  static fromArtifacts(artifacts: ModelArtifacts, batchScorer: BatchScorer = new TypedArrayScorer(), memory: ParamMemory = 'local'): SessionModel {
    const { meta } = artifacts;
    if (meta.format !== 'streamrec-session-model' || meta.formatVersion !== 1) {
      throw new RecError('REC_DATA', `unsupported model snapshot format ${String(meta.format)} v${String(meta.formatVersion)}`);
    }
    const model = new SessionModel(meta.options, batchScorer, memory);
    const size = meta.items.length;
    const d = model.options.dim;
    const p = model.params;
    const checked = (name: string, length: number): Float32Array => {
      const source = weightOf(artifacts, name);
      if (source.length !== length) throw new RecError('REC_DATA', `model snapshot weight '${name}' has ${source.length} values, expected ${length}`);
      return source;
    };
    const copy = (name: string, target: Float32Array, length: number): void => target.set(checked(name, length));
    const copyHalf = (name: string, target: Uint16Array, length: number): void => encodeHalf(checked(name, length), length, target);
    model.vocabulary.restore(meta.items, meta.overflow);
    copyHalf('input', p.input, size * d);
    copyHalf('output', p.output, size * d);
    copy('bias', p.bias, size);
    copy('inputAcc', p.inputAcc, size);
    copy('outputAcc', p.outputAcc, size);
    copy('biasAcc', p.biasAcc, size);
    copy('counts', p.counts, size);
    copy('dense', p.dense, p.dense.length);
    copy('denseAcc', p.denseAcc, p.denseAcc.length);
    const samplerWeights = weightOf(artifacts, 'samplerWeights');
    model.sampler.restore(samplerWeights, samplerWeights.length);
    Object.assign(model.trainer.counters, meta.counters);
    model.trainer.rollingLoss = meta.rollingLoss;
    model.trainer.learningRate = meta.learningRate;
    return model;
  }
}

function halfToFloat(half: Uint16Array, length: number): Float32Array {
  const out = new Float32Array(length);
  decodeHalf(half, 0, length, out);
  return out;
}
