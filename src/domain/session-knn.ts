export interface SessionKnnOptions {
  /** Neighbours whose items are scored. */
  readonly k: number;
  /** Most recent sessions sharing an item with the context that are compared at all. */
  readonly candidates: number;
  /** Sessions remembered; the oldest are forgotten first. */
  readonly maxSessions: number;
  /** Items remembered per session (the newest). */
  readonly maxItemsPerSession: number;
  /** Neighbours scored by the sequence-aware variant (`k` when absent). */
  readonly sequentialK?: number;
}

export interface SessionKnnSnapshot {
  readonly seq: number;
  readonly stored: readonly { readonly key: string; readonly seq: number; readonly items: readonly string[] }[];
  /** Indexes into `stored` of the live sessions, least recently updated first. */
  readonly live: readonly number[];
  readonly postings: readonly (readonly [string, readonly number[]])[];
  /** Item → sessions that ever held it (IDF), and sessions ever seen. */
  readonly holders: readonly (readonly [string, number])[];
  readonly sessionsSeen: number;
}

/**
 * `v-sknn`: V-SKNN as published (Ludewig & Jannach 2018). `vstan`: the sequence- and IDF-aware variant
 * (after VSTAN, Ludewig et al. 2021) that the engine ranks with.
 */
export type KnnVariant = 'v-sknn' | 'vstan';

export interface Scored {
  readonly item: string;
  readonly score: number;
}

/**
 * `vstan` item weighting in a neighbour (STAN, Garg et al. 2019): an item counts exp(−d/λ), d its distance
 * in the neighbour from the newest item shared with the context, so what came right around the shared
 * item counts most. λ and the IDF strengths below were chosen on a validation split (the last 5 % of
 * Diginetica's training sessions, never the test prefixes).
 */
const ITEM_POSITION_DECAY = 3;
/** `vstan`: a shared context item weighs (1 + a·idf) in the similarity, idf = ln(sessions / sessions holding it). */
const SIMILARITY_IDF = 0.3;
/** `vstan`: an item's score is multiplied by (1 + b·idf): rarer items, being more specific, gain a little. */
const SCORE_IDF = 0.1;

interface StoredSession {
  readonly key: string;
  /** Recency: sequence number of the session's latest update. */
  seq: number;
  readonly items: string[];
  /** Whether this is the session its key holds now (a forgotten one may linger in posting lists). */
  live: boolean;
  /** The `score` call that last took it as a candidate (each is taken once per call). */
  mark: number;
}

/**
 * Online session-kNN in the V-SKNN form (Ludewig & Jannach): the context is compared with the most
 * recent past sessions that share an item with it; similarity sums linear position weights of the shared
 * items (newer context positions weigh more), each neighbour counts 1/step where step is how far back its
 * newest shared item sits in the context, and items are scored by the summed weights of the top-k
 * neighbours holding them. The `vstan` variant also weighs shared items by IDF, scores a neighbour's
 * items by their distance from its newest shared item, and lifts rare items a little. Sessions are
 * learned as their events stream in; memory is bounded by `maxSessions` and `maxItemsPerSession`, and
 * each item's posting list by `candidates`.
 */
export class SessionKnn {
  private readonly sessions = new Map<string, StoredSession>();
  /** Item → sessions holding it, oldest first (may hold stale entries; `seq` decides). */
  private readonly postings = new Map<string, StoredSession[]>();
  /** Item → sessions that ever held it, and sessions ever seen (for IDF). */
  private readonly holders = new Map<string, number>();
  private sessionsSeen = 0;
  private seq = 0;
  private scoreCalls = 0;

  constructor(private readonly options: SessionKnnOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Appends `item` to session `key` (consecutive repeats are kept once). */
  observe(key: string, item: string): void {
    let session = this.sessions.get(key);
    if (session === undefined) {
      session = { key, seq: 0, items: [], live: true, mark: 0 };
      this.sessionsSeen += 1;
      if (this.sessions.size >= this.options.maxSessions) this.forgetOldest();
    } else {
      this.sessions.delete(key);
    }
    this.sessions.set(key, session);
    this.seq += 1;
    session.seq = this.seq;
    if (session.items.at(-1) !== item) {
      if (!session.items.includes(item)) this.holders.set(item, (this.holders.get(item) ?? 0) + 1);
      session.items.push(item);
      if (session.items.length > this.options.maxItemsPerSession) session.items.shift();
    }
    let list = this.postings.get(item);
    if (list === undefined) this.postings.set(item, (list = []));
    if (list.at(-1) !== session) {
      list.push(session);
      // Amortised trim: keep twice the candidate budget, so a trim happens once per `candidates` appends.
      if (list.length > 2 * this.options.candidates) list.splice(0, list.length - this.options.candidates);
    }
  }

  /**
   * Scores items for a context (oldest first), excluding the session `self` from the neighbours.
   * Returns the best `n` items, best first.
   */
  recommend(context: readonly string[], n: number, self?: string, variant: KnnVariant = 'v-sknn'): Scored[] {
    return bestScored(this.score(context, self, variant, n), n);
  }

  /**
   * Whether a past session the engine holds now (not `self`) contains both `a` and `b`, looking at the
   * newest `limit` live sessions that touched `b`: evidence that session-kNN can reach `b` through `a`.
   */
  heldTogether(a: string, b: string, self: string | undefined, limit: number): boolean {
    const list = this.postings.get(b);
    if (list === undefined) return false;
    for (let i = list.length - 1, looked = 0; i >= 0 && looked < limit; i -= 1) {
      const session = list[i];
      if (session === undefined || session.key === self || !session.live) continue;
      looked += 1;
      if (session.items.includes(a) && session.items.includes(b)) return true;
    }
    return false;
  }

  /** ln(sessions seen / sessions that held `item`), 0 for an unknown item. */
  idf(item: string): number {
    const holders = this.holders.get(item);
    return holders === undefined ? 0 : Math.log(Math.max(1, this.sessionsSeen) / holders);
  }

  /** The scored items, of which the best `n` are wanted: items that cannot be among them may be left out. */
  private score(context: readonly string[], self: string | undefined, variant: KnnVariant, n: number): Scored[] {
    const length = context.length;
    if (length === 0) return [];
    const vstan = variant === 'vstan';
    // Per distinct context item (its latest position): its slot, weight and step from the end.
    const slot = new Map<string, number>();
    const weight: number[] = [];
    const step: number[] = [];
    context.forEach((item, index) => {
      let at = slot.get(item);
      if (at === undefined) {
        at = weight.length;
        slot.set(item, at);
      }
      const position = Math.max(0, 1 - 0.1 * (length - (index + 1)));
      weight[at] = vstan ? position * (1 + SIMILARITY_IDF * this.idf(item)) : position;
      step[at] = length - index;
    });
    const all: StoredSession[] = [];
    const budget = this.options.candidates;
    const call = ++this.scoreCalls;
    for (const item of slot.keys()) {
      // The newest `candidates` entries of each posting list (a list is in order of first touching the item).
      const list = this.postings.get(item) ?? [];
      for (let i = Math.max(0, list.length - budget); i < list.length; i += 1) {
        const session = list[i];
        if (session === undefined || !session.live || session.mark === call || session.key === self) continue;
        session.mark = call;
        all.push(session);
      }
    }
    const recent = all.length > budget ? all.sort((a, b) => b.seq - a.seq).slice(0, budget) : all;
    const neighbours: { session: StoredSession; similarity: number; lastShared: number }[] = [];
    // Which candidate last counted each context item (a context item counts once per candidate).
    const countedBy = new Int32Array(weight.length).fill(-1);
    recent.forEach((session, c) => {
      let similarity = 0;
      let nearest = Number.POSITIVE_INFINITY;
      let lastShared = -1;
      const items = session.items;
      for (let index = 0; index < items.length; index += 1) {
        const at = slot.get(items[index] ?? '');
        if (at === undefined) continue;
        lastShared = index;
        if (countedBy[at] === c) continue;
        countedBy[at] = c;
        similarity += weight[at] ?? 0;
        nearest = Math.min(nearest, step[at] ?? nearest);
      }
      if (similarity > 0) neighbours.push({ session, similarity: similarity / nearest, lastShared });
    });
    neighbours.sort((a, b) => b.similarity - a.similarity || b.session.seq - a.session.seq);
    const k = vstan ? (this.options.sequentialK ?? this.options.k) : this.options.k;
    // Each item counts once per neighbour (`vstan`: at its occurrence nearest the newest shared item).
    const scores = new Map<string, { score: number; neighbour: number; decay: number }>();
    neighbours.slice(0, k).forEach(({ session, similarity, lastShared }, n) => {
      const items = session.items;
      for (let index = 0; index < items.length; index += 1) {
        const item = items[index] ?? '';
        const decay = vstan ? Math.exp(-Math.abs(index - lastShared) / ITEM_POSITION_DECAY) : 1;
        const entry = scores.get(item);
        if (entry === undefined) {
          scores.set(item, { score: similarity * decay, neighbour: n, decay });
        } else if (entry.neighbour !== n) {
          entry.score += similarity * decay;
          entry.neighbour = n;
          entry.decay = decay;
        } else if (decay > entry.decay) {
          entry.score += similarity * (decay - entry.decay);
          entry.decay = decay;
        }
      }
    });
    const raw: Scored[] = [];
    for (const [item, { score }] of scores) raw.push({ item, score });
    return vstan ? this.lifted(raw, n) : raw;
  }

  /**
   * `vstan`'s IDF lift, score · (1 + b·idf), of every item that can be among the best `n` after it. The
   * lift is at most (1 + b·ln(sessions seen)), so an item whose raw score, lifted that much, stays below
   * the lifted scores of the n best raw ones cannot make the n best, and its IDF is never looked up: a
   * long session's neighbours hold thousands of items, and the lookups were a twentieth of the engine's time.
   */
  private lifted(raw: readonly Scored[], n: number): Scored[] {
    const lift = (entry: Scored): Scored => ({ item: entry.item, score: entry.score * (1 + SCORE_IDF * this.idf(entry.item)) });
    if (raw.length <= n) return raw.map(lift);
    let floor = Number.POSITIVE_INFINITY;
    for (const entry of bestScored([...raw], n)) floor = Math.min(floor, lift(entry).score);
    // A hair above the bound, so rounding can never leave out an item that belongs.
    const most = (1 + SCORE_IDF * Math.log(Math.max(1, this.sessionsSeen))) * (1 + 1e-9);
    const out: Scored[] = [];
    for (const entry of raw) if (entry.score * most >= floor) out.push(lift(entry));
    return out;
  }

  forget(key: string): boolean {
    const session = this.sessions.get(key);
    if (session === undefined) return false;
    session.live = false;
    return this.sessions.delete(key);
  }

  private forgetOldest(): void {
    const oldest = this.sessions.values().next();
    if (oldest.done === true) return;
    oldest.value.live = false;
    this.sessions.delete(oldest.value.key);
  }

  /**
   * Everything learned, for a checkpoint: every stored session (live or only still referenced by a
   * posting list) once, the live ones in recency order, and the posting lists as indexes into them.
   */
  snapshot(): SessionKnnSnapshot {
    const index = new Map<StoredSession, number>();
    const stored: { key: string; seq: number; items: string[] }[] = [];
    const idOf = (session: StoredSession): number => {
      let id = index.get(session);
      if (id === undefined) {
        id = stored.length;
        index.set(session, id);
        stored.push({ key: session.key, seq: session.seq, items: [...session.items] });
      }
      return id;
    };
    const live = [...this.sessions.values()].map(idOf);
    const postings = [...this.postings].map(([item, list]) => [item, list.map(idOf)] as const);
    return { seq: this.seq, stored, live, postings, holders: [...this.holders], sessionsSeen: this.sessionsSeen };
  }

  restore(snapshot: SessionKnnSnapshot): void {
    const objects: StoredSession[] = snapshot.stored.map((s) => ({ key: s.key, seq: s.seq, items: [...s.items], live: false, mark: 0 }));
    const at = (id: number): StoredSession => {
      const session = objects[id];
      if (session === undefined) throw new RangeError(`session-kNN checkpoint refers to missing session ${id}`);
      return session;
    };
    this.sessions.clear();
    for (const id of snapshot.live) {
      const session = at(id);
      session.live = true;
      this.sessions.set(session.key, session);
    }
    this.postings.clear();
    for (const [item, ids] of snapshot.postings) this.postings.set(item, ids.map(at));
    this.seq = snapshot.seq;
    this.holders.clear();
    for (const [item, count] of snapshot.holders) this.holders.set(item, count);
    this.sessionsSeen = snapshot.sessionsSeen;
  }
}

/** Best first: higher score, then the smaller item id (a total order, so any selection gives the same list). */
function before(a: Scored, b: Scored): boolean {
  return a.score > b.score || (a.score === b.score && a.item < b.item);
}

/**
 * The best `n` of `scored`, best first: what sorting all and keeping `n` gives, without sorting the
 * thousands of items a long session's neighbours hold when the pool takes a hundred.
 */
export function bestScored(scored: Scored[], n: number): Scored[] {
  if (scored.length <= n || n <= 0) return n <= 0 ? [] : scored.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  const top: Scored[] = [];
  for (const entry of scored) {
    if (top.length === n) {
      const worst = top[n - 1];
      if (worst === undefined || !before(entry, worst)) continue;
      top.pop();
    }
    let at = top.length;
    for (let previous = top[at - 1]; previous !== undefined && before(entry, previous); previous = top[at - 1]) at -= 1;
    top.splice(at, 0, entry);
  }
  return top;
}
