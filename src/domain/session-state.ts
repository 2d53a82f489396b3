import type { BehaviourEvent, EventType } from './event.ts';
import { hash32 } from './random.ts';
import { normalizeQuery, type ActiveQuery } from './query-intent.ts';
import { categoryAffinity } from './recommender/affinity.ts';
import type { RecommendRequest } from './recommender/recommender.ts';
import type { CountsByKey, SessionFeatures } from './session-features.ts';

/** One remembered event of a session: just what the windows and candidates need. */
export interface SessionEvent {
  readonly ts: number;
  readonly type: EventType;
  readonly item: string | null;
  readonly category: string | null;
  /** `eventIdHash` of its event id, to know a record delivered twice; absent in older checkpoints. */
  readonly id?: number;
}

/**
 * A 30-bit hash of an event id (a small integer: no allocation per remembered event). Two different
 * events of one session with the same event time collide once in a billion.
 */
export const eventIdHash = (eventId: string): number => hash32(eventId) & 0x3fffffff;

const NO_PURCHASES: ReadonlyMap<string, number> = new Map();

/** Items of the session a list is built from. */
const REQUEST_ITEMS = 20;

/** A search steers the session's lists until a newer search, or for this long. */
export const QUERY_ACTIVE_MS = 30 * 60_000;

export const WINDOWS_MS = { '5m': 5 * 60_000, '1h': 60 * 60_000, '24h': 24 * 60 * 60_000 } as const;

export interface SessionLimits {
  readonly lastItems: number;
  readonly maxEventsPerSession: number;
  /** A session with more events than this within one minute of event time is a bot; 0 or absent: no limit. */
  readonly botMaxEventsPerMinute?: number;
  /** A session with more events than this on one item within one minute of event time is a bot; 0 or absent: no limit. */
  readonly botMaxRepeatsPerItem?: number;
}

/** Why a session was taken for a bot. */
export type BotReason = 'rate' | 'repeat';

const MINUTE_MS = 60_000;

export interface SessionSnapshot {
  readonly sessionId: string;
  readonly userId: string | null;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly eventCount: number;
  readonly history: readonly SessionEvent[];
  readonly purchased: readonly (readonly [string, number])[];
  readonly served: readonly string[];
  readonly lastIngestedAt: number;
  /** Absent in checkpoints written before search intent existed, and when the session never searched. */
  readonly query?: ActiveQuery;
  /** Present once the session was taken for a bot. */
  readonly bot?: BotReason;
}

/** Live state of one session, owned by the partition its key hashes to. */
export class SessionState {
  userId: string | null = null;
  firstSeen: number;
  lastSeen: number;
  eventCount = 0;
  /** Events ordered by time, newest last; bounded by `maxEventsPerSession`. */
  readonly history: SessionEvent[] = [];
  /** Purchased item → purchase time; allocated on the first purchase (most sessions never buy). */
  private purchases: Map<string, number> | null = null;
  /** Item ids of the list last served to this session (online evaluation of the next step). */
  served: readonly string[] = [];
  /** Ingest time of the newest applied event, for freshness. */
  lastIngestedAt = 0;
  /** Set, for good, by the first event that breaks a bot limit; nothing learns from the session after it. */
  bot: BotReason | null = null;
  /** The session's newest search, with the item events since. */
  private query: ActiveQuery | null = null;

  constructor(
    readonly sessionId: string,
    readonly partition: number,
    firstTs: number,
  ) {
    this.firstSeen = firstTs;
    this.lastSeen = firstTs;
  }

  /**
   * Whether the remembered history already holds an event with this time and `eventIdHash`: a record the
   * producer wrote twice (a send retried after a lost acknowledgement) is the same shopper action once.
   */
  holds(ts: number, id: number): boolean {
    for (let i = this.history.length - 1; i >= 0; i -= 1) {
      const entry = this.history[i];
      if (entry === undefined || entry.ts < ts) return false;
      if (entry.ts === ts && entry.id === id) return true;
    }
    return false;
  }

  /** `id`: the event's `eventIdHash`, when the caller already has it. */
  apply(event: BehaviourEvent, limits: SessionLimits, ingestedAt: number, id = eventIdHash(event.event_id)): void {
    const entry: SessionEvent = {
      ts: event.ts,
      type: event.type,
      item: event.item_id ?? null,
      category: event.category_id ?? null,
      id,
    };
    // Out-of-order events (within the allowed lateness) are inserted in time order.
    let index = this.history.length;
    while (index > 0 && (this.history[index - 1]?.ts ?? 0) > entry.ts) index -= 1;
    this.history.splice(index, 0, entry);
    if (this.history.length > limits.maxEventsPerSession) this.history.shift();
    if (event.user_id !== undefined) this.userId = event.user_id;
    if (event.type === 'purchase' && event.item_id !== undefined) this.recordPurchase(event.item_id, event.ts);
    if (event.type === 'search' && event.query !== undefined) {
      if (this.query === null || event.ts >= this.query.ts) this.query = { text: normalizeQuery(event.query), ts: event.ts, steps: 0 };
    } else if (event.item_id !== undefined && this.query !== null && event.ts >= this.query.ts) {
      this.query = { ...this.query, steps: this.query.steps + 1 };
    }
    this.firstSeen = Math.min(this.firstSeen, event.ts);
    this.lastSeen = Math.max(this.lastSeen, event.ts);
    this.eventCount += 1;
    this.lastIngestedAt = Math.max(this.lastIngestedAt, ingestedAt);
    if (this.bot === null) this.bot = this.breaksBotLimits(entry, limits);
  }

  /**
   * No shopper makes two events a second for a minute, or dozens on one item within a minute
   * (Diginetica's busiest real session: 17 events in a minute, 12 views of one item; trivago's logs,
   * where a hotel's photos are browsed in bursts, reach 40 on one hotel in a minute in 0.6 % of
   * sessions). Counted over the remembered history, so a limit above `maxEventsPerSession` never fires.
   */
  private breaksBotLimits(entry: SessionEvent, limits: SessionLimits): BotReason | null {
    const perMinute = limits.botMaxEventsPerMinute ?? 0;
    const repeats = limits.botMaxRepeatsPerItem ?? 0;
    if (perMinute <= 0 && repeats <= 0) return null;
    let inMinute = 0;
    let same = 0;
    for (const other of this.history) {
      if (other.ts <= entry.ts - MINUTE_MS || other.ts > entry.ts) continue;
      inMinute += 1;
      if (entry.item !== null && other.item === entry.item) same += 1;
    }
    if (perMinute > 0 && inMinute > perMinute) return 'rate';
    if (repeats > 0 && same > repeats) return 'repeat';
    return null;
  }

  /** Purchased item → purchase time, for exclusions. */
  get purchased(): ReadonlyMap<string, number> {
    return this.purchases ?? NO_PURCHASES;
  }

  private recordPurchase(item: string, ts: number): void {
    this.purchases ??= new Map();
    this.purchases.set(item, ts);
  }

  /** The last `n` distinct items, newest first, with the time each was last touched. */
  recentItems(n: number): { item: string; ts: number }[] {
    const out: { item: string; ts: number }[] = [];
    const seen = new Set<string>();
    for (let i = this.history.length - 1; i >= 0 && out.length < n; i -= 1) {
      const entry = this.history[i];
      if (entry?.item === null || entry === undefined || seen.has(entry.item)) continue;
      seen.add(entry.item);
      out.push({ item: entry.item, ts: entry.ts });
    }
    return out;
  }

  /**
   * What a list for this session is built from, using only events at or before event time `ts`
   * (so an out-of-order event never sees the future): the item sequence (oldest first, consecutive
   * repeats collapsed, at most `maxItems`), category affinity and purchases.
   */
  request(ts = Number.POSITIVE_INFINITY, maxItems = REQUEST_ITEMS): RecommendRequest {
    // Events arrive mostly in order, so the whole history usually qualifies and needs no copy.
    const events = ts >= this.lastSeen ? this.history : this.history.filter((entry) => entry.ts <= ts);
    const sequence: string[] = [];
    const categories: (string | null)[] = [];
    for (const entry of events) {
      if (entry.item === null || sequence.at(-1) === entry.item) continue;
      sequence.push(entry.item);
      categories.push(entry.category);
    }
    const now = ts === Number.POSITIVE_INFINITY ? this.lastSeen : ts;
    const query = this.query !== null && this.query.ts <= now && now - this.query.ts <= QUERY_ACTIVE_MS ? this.query : null;
    const basket = basketOf(events);
    return {
      ...(query === null ? {} : { query }),
      ...(basket === null ? {} : { basket }),
      ...(this.userId === null ? {} : { user: this.userId }),
      sequence: sequence.length > maxItems ? sequence.slice(-maxItems) : sequence,
      sequenceCategories: categories.length > maxItems ? categories.slice(-maxItems) : categories,
      categories: categoryAffinity(events),
      purchased: this.purchased,
      now,
      self: this.sessionId,
    };
  }

  /** Sliding-window features as of the session's newest event. */
  features(limits: SessionLimits): SessionFeatures {
    const asOf = this.lastSeen;
    const counts = { '5m': {} as Record<string, number>, '1h': {} as Record<string, number>, '24h': {} as Record<string, number> };
    const categories = { '5m': {} as Record<string, number>, '1h': {} as Record<string, number>, '24h': {} as Record<string, number> };
    for (const entry of this.history) {
      const age = asOf - entry.ts;
      for (const window of ['5m', '1h', '24h'] as const) {
        if (age > WINDOWS_MS[window]) continue;
        counts[window][entry.type] = (counts[window][entry.type] ?? 0) + 1;
        if (entry.category !== null) categories[window][entry.category] = (categories[window][entry.category] ?? 0) + 1;
      }
    }
    return {
      session_id: this.sessionId,
      user_id: this.userId,
      partition: this.partition,
      first_seen: this.firstSeen,
      last_seen: this.lastSeen,
      event_count: this.eventCount,
      last_items: this.recentItems(limits.lastItems).map((entry) => entry.item).reverse(),
      counts_5m: counts['5m'],
      counts_1h: counts['1h'],
      counts_24h: counts['24h'],
      categories_5m: categories['5m'] as CountsByKey,
      categories_1h: categories['1h'] as CountsByKey,
      categories_24h: categories['24h'] as CountsByKey,
    };
  }

  snapshot(): SessionSnapshot {
    return {
      sessionId: this.sessionId,
      userId: this.userId,
      firstSeen: this.firstSeen,
      lastSeen: this.lastSeen,
      eventCount: this.eventCount,
      history: this.history.map((entry) => ({ ...entry })),
      purchased: [...this.purchased],
      served: [...this.served],
      lastIngestedAt: this.lastIngestedAt,
      ...(this.query === null ? {} : { query: this.query }),
      ...(this.bot === null ? {} : { bot: this.bot }),
    };
  }

  static restore(snapshot: SessionSnapshot, partition: number): SessionState {
    const session = new SessionState(snapshot.sessionId, partition, snapshot.firstSeen);
    session.userId = snapshot.userId;
    session.lastSeen = snapshot.lastSeen;
    session.eventCount = snapshot.eventCount;
    session.history.push(...snapshot.history.map((entry) => ({ ...entry })));
    for (const [item, ts] of snapshot.purchased) session.recordPurchase(item, ts);
    session.served = [...snapshot.served];
    session.lastIngestedAt = snapshot.lastIngestedAt;
    session.query = snapshot.query ?? null;
    session.bot = snapshot.bot ?? null;
    return session;
  }
}

/** Basket items a list looks at (the newest). */
const BASKET_ITEMS = 5;

/**
 * The session's basket, newest first: items put in the cart (and not taken out since) or bought, each
 * with the number of item events after it. Null when empty (most sessions), so nothing is allocated.
 */
function basketOf(events: readonly SessionEvent[]): { item: string; steps: number }[] | null {
  // Typed by assertion, not annotation, so the checker does not narrow them to null for the loop.
  let basket = null as { item: string; steps: number }[] | null;
  let removed = null as string[] | null;
  let steps = 0;
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const entry = events[i];
    if (entry === undefined || entry.item === null) continue;
    if (entry.type === 'remove_from_cart') (removed ??= []).push(entry.item);
    else if ((entry.type === 'add_to_cart' || entry.type === 'purchase') && removed?.includes(entry.item) !== true && basket?.some((b) => b.item === entry.item) !== true) {
      (basket ??= []).push({ item: entry.item, steps });
      if (basket.length >= BASKET_ITEMS) break;
    }
    steps += 1;
  }
  return basket;
}
