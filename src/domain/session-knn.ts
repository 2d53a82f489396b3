export interface SessionKnnOptions {
  /** Neighbours whose items are scored. */
  readonly k: number;
  /** Most recent sessions sharing an item with the context that are compared at all. */
  readonly candidates: number;
  /** Sessions remembered; the oldest are forgotten first. */
  readonly maxSessions: number;
  /** Items remembered per session (the newest). */
  readonly maxItemsPerSession: number;
}

export interface SessionKnnSnapshot {
  readonly seq: number;
  readonly stored: readonly { readonly key: string; readonly seq: number; readonly items: readonly string[] }[];
  /** Indexes into `stored` of the live sessions, least recently updated first. */
  readonly live: readonly number[];
  readonly postings: readonly (readonly [string, readonly number[]])[];
}

export interface Scored {
  readonly item: string;
  readonly score: number;
}

interface StoredSession {
  readonly key: string;
  /** Recency: sequence number of the session's latest update. */
  seq: number;
  readonly items: string[];
}

/**
 * Online session-kNN in the V-SKNN form (Ludewig & Jannach): the context is compared with the most
 * recent past sessions that share an item with it; similarity sums linear position weights of the shared
 * items (newer context positions weigh more), each neighbour counts 1/step where step is how far back its
 * newest shared item sits in the context, and items are scored by the summed weights of the top-k
 * neighbours holding them. Sessions are learned as their events stream in; memory is bounded by
 * `maxSessions` and `maxItemsPerSession`, and each item's posting list by `candidates`.
 */
export class SessionKnn {
  private readonly sessions = new Map<string, StoredSession>();
  /** Item → sessions holding it, oldest first (may hold stale entries; `seq` decides). */
  private readonly postings = new Map<string, StoredSession[]>();
  private seq = 0;

  constructor(private readonly options: SessionKnnOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Appends `item` to session `key` (consecutive repeats are kept once). */
  observe(key: string, item: string): void {
    let session = this.sessions.get(key);
    if (session === undefined) {
      session = { key, seq: 0, items: [] };
      if (this.sessions.size >= this.options.maxSessions) this.forgetOldest();
    } else {
      this.sessions.delete(key);
    }
    this.sessions.set(key, session);
    this.seq += 1;
    session.seq = this.seq;
    if (session.items.at(-1) !== item) {
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
  recommend(context: readonly string[], n: number, self?: string): Scored[] {
    const length = context.length;
    if (length === 0) return [];
    // Position weight of each distinct context item (its latest position), and its step from the end.
    const weight = new Map<string, number>();
    const step = new Map<string, number>();
    context.forEach((item, index) => {
      weight.set(item, Math.max(0, 1 - 0.1 * (length - (index + 1))));
      step.set(item, length - index);
    });
    const candidates = new Set<StoredSession>();
    for (const item of weight.keys()) {
      for (const session of this.postings.get(item) ?? []) {
        if (session.key !== self && this.sessions.get(session.key) === session) candidates.add(session);
      }
    }
    const recent = [...candidates].sort((a, b) => b.seq - a.seq).slice(0, this.options.candidates);
    const neighbours: { session: StoredSession; similarity: number }[] = [];
    for (const session of recent) {
      let similarity = 0;
      let nearest = Number.POSITIVE_INFINITY;
      const seen = new Set<string>();
      for (const item of session.items) {
        if (seen.has(item)) continue;
        seen.add(item);
        const w = weight.get(item);
        if (w === undefined) continue;
        similarity += w;
        nearest = Math.min(nearest, step.get(item) ?? nearest);
      }
      if (similarity > 0) neighbours.push({ session, similarity: similarity / nearest });
    }
    neighbours.sort((a, b) => b.similarity - a.similarity || b.session.seq - a.session.seq);
    const scores = new Map<string, number>();
    for (const { session, similarity } of neighbours.slice(0, this.options.k)) {
      const seen = new Set<string>();
      for (const item of session.items) {
        if (seen.has(item)) continue;
        seen.add(item);
        scores.set(item, (scores.get(item) ?? 0) + similarity);
      }
    }
    return [...scores.entries()]
      .map(([item, score]) => ({ item, score }))
      .sort((a, b) => b.score - a.score || (a.item < b.item ? -1 : 1))
      .slice(0, n);
  }

  forget(key: string): boolean {
    return this.sessions.delete(key);
  }

  private forgetOldest(): void {
    const oldest = this.sessions.keys().next();
    if (oldest.done !== true) this.sessions.delete(oldest.value);
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
    return { seq: this.seq, stored, live, postings };
  }

  restore(snapshot: SessionKnnSnapshot): void {
    const objects: StoredSession[] = snapshot.stored.map((s) => ({ key: s.key, seq: s.seq, items: [...s.items] }));
    const at = (id: number): StoredSession => {
      const session = objects[id];
      if (session === undefined) throw new RangeError(`session-kNN checkpoint refers to missing session ${id}`);
      return session;
    };
    this.sessions.clear();
    for (const id of snapshot.live) {
      const session = at(id);
      this.sessions.set(session.key, session);
    }
    this.postings.clear();
    for (const [item, ids] of snapshot.postings) this.postings.set(item, ids.map(at));
    this.seq = snapshot.seq;
  }
}
