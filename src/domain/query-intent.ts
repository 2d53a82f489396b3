import { ForwardDecay } from './decay.ts';
import { TokenSpelling } from './token-spelling.ts';

/** Bounds and decay of the query → item statistics. */
export interface QueryIntentOptions {
  /** Normalised queries and tokens held (each); the least recently used go first. */
  readonly maxKeys: number;
  /** Items kept per query or token; when full, a new item replaces the weakest. */
  readonly itemsPerKey: number;
  /** Half-life of the counts (what shoppers take after a query drifts with stock and season). */
  readonly halfLifeMs: number;
}

/** What shoppers took after a query: items and categories with their share (each sums to ≤ 1). */
export interface QueryPrediction {
  readonly items: readonly { readonly item: string; readonly score: number }[];
  readonly categories: ReadonlyMap<string, number>;
  /** How the prediction was found: the whole query was seen before, only some of its tokens, or nothing. */
  readonly basis: 'query' | 'tokens' | 'none';
}

/**
 * What shoppers took after one query or one token, normalised (shares), as the engine publishes it
 * for readers that hold no counts (the Feed API's rerank).
 */
export interface IntentList {
  readonly items: readonly (readonly [string, number])[];
  readonly categories: readonly (readonly [string, number])[];
}

/**
 * The prediction for a query from its own list (if it was seen) and its known tokens' lists: the
 * query's list weighs 0.7 and the tokens share the rest equally; without the query, the tokens share
 * everything. One function for the engine and the API, so both rank a query alike.
 */
export function blendIntent(query: IntentList | null, tokens: readonly IntentList[], k: number): QueryPrediction {
  const items = new Map<string, number>();
  const categories = new Map<string, number>();
  const tokenShare = tokens.length === 0 ? 0 : query === null ? 1 : 1 - QUERY_WEIGHT;
  const add = (list: IntentList, share: number): void => {
    for (const [item, w] of list.items) items.set(item, (items.get(item) ?? 0) + share * w);
    for (const [category, w] of list.categories) categories.set(category, (categories.get(category) ?? 0) + share * w);
  };
  if (query !== null) add(query, tokenShare === 0 ? 1 : QUERY_WEIGHT);
  for (const token of tokens) add(token, tokenShare / tokens.length);
  const ranked = [...items.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, k);
  return { items: ranked.map(([item, score]) => ({ item, score })), categories, basis: query !== null ? 'query' : tokens.length > 0 ? 'tokens' : 'none' };
}

/** The search a session is acting on, as session state keeps it. */
export interface ActiveQuery {
  /** Normalised text (`normalizeQuery`). */
  readonly text: string;
  readonly ts: number;
  /** Item events of the session since the search. */
  readonly steps: number;
}

interface Bucket {
  readonly items: Map<string, number>;
  readonly categories: Map<string, number>;
  total: number;
}

export interface QueryIntentSnapshot {
  readonly landmark: number | null;
  readonly queries: readonly (readonly [string, BucketSnapshot])[];
  readonly tokens: readonly (readonly [string, BucketSnapshot])[];
}

type BucketSnapshot = readonly [items: readonly (readonly [string, number])[], categories: readonly (readonly [string, number])[], total: number];

const CATEGORIES_PER_KEY = 8;
/** A token this short says nothing on its own ("a", "4"), unless it is a number of two digits or more. */
const MIN_TOKEN_LENGTH = 2;
/** Later items after one search tell less about it: the n-th item event after it counts STEP_DECAY^n. */
const STEP_DECAY = 0.7;
/** Weight of an exact-query match against the token mixture when both exist. */
const QUERY_WEIGHT = 0.7;
/** Predictions remembered between changes of the counts (one per query being served). */
const MEMO_LIMIT = 4096;

/**
 * Query text as a key: lower case, accents and punctuation dropped, whitespace collapsed, so
 * "Smart-Watch " and "smart watch" are one query.
 */
export function normalizeQuery(query: string): string {
  return query
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Distinct tokens of a normalised query worth learning from. */
export function queryTokens(normalized: string): string[] {
  const out: string[] = [];
  for (const token of normalized.split(' ')) if (token.length >= MIN_TOKEN_LENGTH && !out.includes(token)) out.push(token);
  return out;
}

/**
 * Search intent learned online: which items and categories shoppers click, cart or buy after a query,
 * kept per normalised query and per query token (so an unseen query made of known words still finds
 * its items). Counts decay forward in event time; both tables are bounded LRU maps.
 */
export class QueryIntent {
  private readonly queries = new Map<string, Bucket>();
  private readonly tokens = new Map<string, Bucket>();
  /** The known tokens by spelling, so a misspelt word still finds its list. */
  private readonly spelling = new TokenSpelling();
  private readonly decay: ForwardDecay;
  private readonly touchedQueries = new Set<string>();
  private readonly touchedTokens = new Set<string>();
  /**
   * Full predictions made since the counts last changed: one list is ranked, explained and published
   * from the same prediction, so it is blended and sorted once, not three times.
   */
  private readonly memo = new Map<string, QueryPrediction>();

  constructor(private readonly options: QueryIntentOptions) {
    this.decay = new ForwardDecay(options.halfLifeMs);
  }

  /** Queries and tokens held. */
  get size(): { readonly queries: number; readonly tokens: number } {
    return { queries: this.queries.size, tokens: this.tokens.size };
  }

  /**
   * One item event after a search: `weight` by event type, discounted by the item events the
   * session had since the search (`query.steps`).
   */
  observe(query: ActiveQuery, item: string, category: string | null, weight: number, ts: number): void {
    if (query.text === '' || weight <= 0) return;
    const w = weight * STEP_DECAY ** query.steps * this.decay.weight(ts, (factor) => this.rescale(factor));
    this.memo.clear();
    this.add(this.queries, query.text, item, category, w);
    this.touchedQueries.add(query.text);
    for (const token of queryTokens(query.text)) {
      this.add(this.tokens, token, item, category, w);
      this.touchedTokens.add(token);
    }
  }

  /**
   * The lists of the queries and tokens learned from since the last call (then forgotten): a query's
   * blended prediction under `q:<query>`, a token's own list under `t:<token>`, top `k` items each.
   */
  takeTouched(k: number): { readonly key: string; readonly list: IntentList }[] {
    const out: { key: string; list: IntentList }[] = [];
    for (const text of this.touchedQueries) {
      const prediction = this.predict(text, k);
      out.push({ key: `q:${text}`, list: { items: prediction.items.map((entry) => [entry.item, entry.score] as const), categories: [...prediction.categories] } });
    }
    for (const token of this.touchedTokens) {
      const bucket = this.tokens.get(token);
      if (bucket !== undefined) out.push({ key: `t:${token}`, list: listOf(bucket, k) });
    }
    this.touchedQueries.clear();
    this.touchedTokens.clear();
    return out;
  }

  /** Items and categories for a normalised query, best first: its own counts blended with its tokens'. */
  predict(normalized: string, k: number): QueryPrediction {
    let full = this.memo.get(normalized);
    if (full === undefined) {
      const exact = this.queries.get(normalized);
      const tokens: IntentList[] = [];
      for (const token of queryTokens(normalized)) {
        const bucket = this.tokens.get(token) ?? this.likelySpelling(token);
        if (bucket !== undefined) tokens.push(listOf(bucket, Number.POSITIVE_INFINITY));
      }
      full = blendIntent(exact === undefined ? null : listOf(exact, Number.POSITIVE_INFINITY), tokens, Number.POSITIVE_INFINITY);
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      this.memo.set(normalized, full);
    }
    // The ranking is a total order (ties broken by id), so the top k of the full list is the top k.
    return full.items.length <= k ? full : { ...full, items: full.items.slice(0, k) };
  }

  /** For an unknown token, the best-supported known token one edit away (a typo), if any. */
  private likelySpelling(token: string): Bucket | undefined {
    let best: Bucket | undefined;
    for (const known of this.spelling.near(token)) {
      const bucket = this.tokens.get(known);
      if (bucket !== undefined && (best === undefined || bucket.total > best.total)) best = bucket;
    }
    return best;
  }

  snapshot(): QueryIntentSnapshot {
    const dump = (table: Map<string, Bucket>): [string, BucketSnapshot][] => [...table].map(([key, b]) => [key, [[...b.items], [...b.categories], b.total]]);
    return { landmark: this.decay.state, queries: dump(this.queries), tokens: dump(this.tokens) };
  }

  restore(snapshot: QueryIntentSnapshot): void {
    this.memo.clear();
    this.decay.restore(snapshot.landmark);
    const load = (table: Map<string, Bucket>, rows: QueryIntentSnapshot['queries']): void => {
      table.clear();
      for (const [key, [items, categories, total]] of rows) table.set(key, { items: new Map(items), categories: new Map(categories), total });
    };
    load(this.queries, snapshot.queries);
    for (const token of this.tokens.keys()) this.spelling.remove(token);
    load(this.tokens, snapshot.tokens);
    for (const token of this.tokens.keys()) this.spelling.add(token);
  }

  private add(table: Map<string, Bucket>, key: string, item: string, category: string | null, w: number): void {
    let bucket = table.get(key);
    if (bucket === undefined) {
      bucket = { items: new Map(), categories: new Map(), total: 0 };
      if (table.size >= this.options.maxKeys) {
        const evicted = table.keys().next().value as string;
        table.delete(evicted);
        if (table === this.tokens) this.spelling.remove(evicted);
      }
      if (table === this.tokens) this.spelling.add(key);
    } else {
      table.delete(key);
    }
    table.set(key, bucket);
    bucket.total += w;
    bump(bucket.items, item, w, this.options.itemsPerKey);
    if (category !== null) bump(bucket.categories, category, w, CATEGORIES_PER_KEY);
  }

  private rescale(factor: number): void {
    for (const table of [this.queries, this.tokens]) {
      for (const bucket of table.values()) {
        bucket.total *= factor;
        for (const [item, w] of bucket.items) bucket.items.set(item, w * factor);
        for (const [category, w] of bucket.categories) bucket.categories.set(category, w * factor);
      }
    }
  }
}

/** Adds `w` to `key`; a new key in a full map takes the place of the weakest, inheriting its count (space-saving). */
function bump(counts: Map<string, number>, key: string, w: number, capacity: number): void {
  const current = counts.get(key);
  if (current !== undefined || counts.size < capacity) {
    counts.set(key, (current ?? 0) + w);
    return;
  }
  let weakest = '';
  let least = Number.POSITIVE_INFINITY;
  for (const [other, count] of counts) {
    if (count < least) {
      least = count;
      weakest = other;
    }
  }
  counts.delete(weakest);
  counts.set(key, least + w);
}

/** A bucket's counts as shares of its total, the `k` strongest items. */
function listOf(bucket: Bucket, k: number): IntentList {
  const total = bucket.total > 0 ? bucket.total : 1;
  const items = [...bucket.items].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return {
    items: (Number.isFinite(k) ? items.slice(0, k) : items).map(([item, w]) => [item, w / total] as const),
    categories: [...bucket.categories].map(([category, w]) => [category, w / total] as const),
  };
}
