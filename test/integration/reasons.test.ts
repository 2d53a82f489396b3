import type { ClickHouseClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import { TRENDING_WEIGHT } from '../../src/domain/candidate-state.ts';
import type { BehaviourEvent, EventType } from '../../src/domain/event.ts';
import type { Feed } from '../../src/domain/feed.ts';
import { mulberry32 } from '../../src/domain/random.ts';
import { recommendationId } from '../../src/domain/recommendation-id.ts';
import type { RunningEngine } from '../../src/engine.ts';
import { startTestEngine, stopTestEngine } from '../helpers/test-engine.ts';
import { asRecord, produce } from '../helpers/produce.ts';
import { waitFor } from '../helpers/wait-for.ts';

const T0 = Date.UTC(2026, 0, 10, 12);
const K_BOUGHT = 3;
const TOP_K = 4;
const COVISIT_WINDOW = 5;
/** candidates.newItemInteractions (default). */
const NEW_ITEM_INTERACTIONS = 5;

/**
 * A shop of 5 categories × 12 items. Shoppers mostly stay in one category, prefer its first items
 * (so trending is clear-cut), and a third of them buy one of a few bundles (two items bought together).
 */
function shopStream(sessions: number, seed: number): BehaviourEvent[] {
  const random = mulberry32(seed);
  const events: BehaviourEvent[] = [];
  let id = 0;
  const pick = (n: number): number => Math.min(n - 1, Math.floor(n * random() ** 2));
  for (let s = 0; s < sessions; s += 1) {
    const session = `shop-${s}`;
    // Sessions overlap (a new one every 3 s, each about 10 s long), so a session's lists come from many batches.
    let ts = T0 + s * 3_000;
    const push = (type: EventType, category: number, item: number): void => {
      events.push({ event_id: `r-${(id += 1)}`, type, ts: (ts += 1000 + Math.floor(random() * 1000)), session_id: session, item_id: `c${category}-i${item}`, category_id: `c${category}` });
    };
    let category = pick(5);
    const views = 2 + Math.floor(random() * 5);
    for (let v = 0; v < views; v += 1) {
      if (random() < 0.15) category = pick(5);
      push(random() < 0.2 ? 'click' : 'view', category, pick(12));
    }
    if (random() < 0.35) {
      const bundle = 2 * pick(3);
      push('view', category, bundle);
      push('add_to_cart', category, bundle);
      push('purchase', category, bundle);
      push('purchase', category, bundle + 1);
    }
  }
  return events.sort((a, b) => a.ts - b.ts);
}

interface Stored {
  readonly event: BehaviourEvent;
  readonly offset: number;
}

/**
 * What an independent observer knows after reading the stream up to some offset, kept incrementally
 * (events are applied in offset order). Nothing here comes from the engine's code but the trending
 * weights: bought-together support is counted from raw purchases, co-visitation from raw sequences,
 * trending ranks from raw weighted counts.
 */
class Observer {
  private readonly sequences = new Map<string, string[]>();
  private readonly bought = new Map<string, Set<string>>();
  private readonly pairBuyers = new Map<string, number>();
  private readonly coVisits = new Set<string>();
  private readonly holders = new Map<string, Set<string>>();
  private readonly scores = new Map<string, number>();
  private readonly categories = new Map<string, string>();
  private readonly firstSeen = new Map<string, number>();
  private readonly interactions = new Map<string, number>();
  private rankCache = new Map<string, Map<string, number>>();

  apply(event: BehaviourEvent): void {
    const item = event.item_id;
    if (item === undefined) return;
    const sequence = this.sequences.get(event.session_id) ?? [];
    this.sequences.set(event.session_id, sequence);
    // Co-visitation pairs each new item with the session's previous 5 distinct items, both directions.
    for (const previous of [...new Set([...sequence].reverse())].slice(0, COVISIT_WINDOW)) {
      if (previous === item) continue;
      this.coVisits.add(`${previous}|${item}`);
      this.coVisits.add(`${item}|${previous}`);
    }
    if (sequence.at(-1) !== item) sequence.push(item);
    const holders = this.holders.get(item) ?? new Set<string>();
    this.holders.set(item, holders.add(event.session_id));
    if (event.type === 'purchase') {
      const mine = this.bought.get(event.session_id) ?? new Set<string>();
      this.bought.set(event.session_id, mine);
      if (!mine.has(item)) {
        for (const other of mine) {
          this.pairBuyers.set(`${other}|${item}`, (this.pairBuyers.get(`${other}|${item}`) ?? 0) + 1);
          this.pairBuyers.set(`${item}|${other}`, (this.pairBuyers.get(`${item}|${other}`) ?? 0) + 1);
        }
        mine.add(item);
      }
    }
    if (event.category_id !== undefined) this.categories.set(item, event.category_id);
    const weight = TRENDING_WEIGHT[event.type];
    // Forward decay: only the order matters, so each weight is scaled by 2^((ts - T0) / half-life).
    if (weight > 0) this.scores.set(item, (this.scores.get(item) ?? 0) + weight * 2 ** ((event.ts - T0) / 3_600_000));
    if (weight > 0 && !this.firstSeen.has(item)) this.firstSeen.set(item, event.ts);
    if (weight > 0) this.interactions.set(item, (this.interactions.get(item) ?? 0) + 1);
    this.rankCache = new Map();
  }

  /** When the item was first taken, and how often since. */
  newness(item: string): { firstSeen: number | undefined; interactions: number } {
    return { firstSeen: this.firstSeen.get(item), interactions: this.interactions.get(item) ?? 0 };
  }

  itemsOf(session: string): readonly string[] {
    return this.sequences.get(session) ?? [];
  }

  boughtBoth(a: string, b: string): number {
    return this.pairBuyers.get(`${a}|${b}`) ?? 0;
  }

  coVisited(x: string, y: string): boolean {
    return this.coVisits.has(`${x}|${y}`);
  }

  /** Some session other than `self` had both items. */
  heldTogether(x: string, y: string, self: string): boolean {
    const ys = this.holders.get(y) ?? new Set<string>();
    for (const session of this.holders.get(x) ?? []) if (session !== self && ys.has(session)) return true;
    return false;
  }

  categoryOf(item: string): string | undefined {
    return this.categories.get(item);
  }

  trendingRank(item: string, category: string | null): number | null {
    const key = category ?? '*';
    let ranks = this.rankCache.get(key);
    if (ranks === undefined) {
      const ranked = [...this.scores.entries()].filter(([id]) => category === null || this.categories.get(id) === category).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      ranks = new Map(ranked.map(([id], i) => [id, i + 1]));
      this.rankCache.set(key, ranks);
    }
    return ranks.get(item) ?? null;
  }
}

describe('reasons hold at generation time (real Kafka, Redis, ClickHouse)', () => {
  let config: Config;
  let engine: RunningEngine;
  let redis: Redis;
  let clickhouse: ClickHouseClient;

  beforeAll(async () => {
    ({ config, engine, redis, clickhouse } = await startTestEngine('reasons', {
      STREAMREC_KAFKA_PARTITIONS: '1',
      STREAMREC_REASONS_BOUGHT_TOGETHER_MIN_SESSIONS: String(K_BOUGHT),
      STREAMREC_CANDIDATES_TRENDING_TOP_K: String(TOP_K),
      // The observer counts trending from every event it has read; the engine's bot-check wait would lag it.
      STREAMREC_CANDIDATES_TRENDING_HOLD_MS: '0',
    }));
  });

  afterAll(() => stopTestEngine({ config, engine, redis, clickhouse }));

  it('every reason on every served list is backed by the events the engine had read when it built the list (100 %)', async () => {
    // Every list the engine writes, as Redis receives it (MONITOR sees the SETs inside MULTI/EXEC).
    const served: { key: string; feed: Feed }[] = [];
    const feedPrefix = `${config.redis.keyPrefix}feed:s:`;
    const monitor = await redis.monitor();
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'set' && args[1]?.startsWith(feedPrefix) === true) served.push({ key: args[1], feed: JSON.parse(args[2] ?? 'null') as Feed });
    });
    const events = shopStream(400, 7);
    // Paced sends: each chunk goes out only once the engine has served a list for the previous chunk's
    // last event, so lists come from many micro-batches (many states) however fast the machine is.
    for (let i = 0; i < events.length; i += 40) {
      const chunk = events.slice(i, i + 40);
      await produce(config, chunk.map(asRecord));
      const tail = chunk.at(-1) as BehaviourEvent;
      await waitFor(
        async () => served.some((s) => s.key === `${feedPrefix}${tail.session_id}` && s.feed.event_ts === tail.ts),
        (seen) => seen,
        { what: `a list for ${tail.event_id}`, intervalMs: 20, timeoutMs: 30_000 },
      );
    }
    const db = config.clickhouse.database;
    const rows = await waitFor(
      async () => (await clickhouse.query({ query: `SELECT event_id, kafka_offset FROM ${db}.events`, format: 'JSONEachRow' })).json<{ event_id: string; kafka_offset: string }>(),
      (r) => r.length >= events.length,
      { what: 'all events stored', timeoutMs: 90_000 },
    );
    monitor.disconnect();
    const offsetOf = new Map(rows.map((r) => [r.event_id, Number(r.kafka_offset)]));
    const stream: Stored[] = events.map((event) => ({ event, offset: offsetOf.get(event.event_id) ?? Number.NaN })).sort((a, b) => a.offset - b.offset);
    const maxOffset = stream.at(-1)?.offset ?? 0;
    expect(new Set(served.map((s) => s.key)).size).toBe(400);

    // Each list's id names the batch it was built after: recover that batch's last offset.
    const lists = served.map(({ key, feed }) => {
      const session = key.slice(feedPrefix.length);
      const own = stream.find((e) => e.event.session_id === session && e.event.ts === feed.event_ts)?.offset ?? 0;
      let last = -1;
      for (let o = own; o <= maxOffset && last < 0; o += 1) if (recommendationId(`s:${session}`, 0, String(o)) === feed.recommendation_id) last = o;
      return { key, session, feed, last };
    });
    for (const list of lists) expect(list.last, `batch of a list of ${list.key}`).toBeGreaterThanOrEqual(0);
    lists.sort((a, b) => a.last - b.last);

    const truth = new Observer();
    let applied = 0;
    const counts: Record<string, number> = {};
    const failures: string[] = [];
    let checked = 0;
    for (const { key, session, feed, last } of lists) {
      while (applied < stream.length && (stream[applied]?.offset ?? Infinity) <= last) truth.apply((stream[applied++] as Stored).event);
      const items = truth.itemsOf(session);
      const recent = [...new Set([...items].reverse())].slice(0, 5);
      for (const entry of feed.items) {
        const reason = entry.reason;
        if (reason === undefined) continue;
        checked += 1;
        counts[reason.type] = (counts[reason.type] ?? 0) + 1;
        const e = reason.evidence;
        const fail = (why: string): void => void failures.push(`${key}@${last} ${entry.item_id} ${JSON.stringify(reason)}: ${why}`);
        if (reason.type === 'bought_together') {
          const z = String(e['item_id']);
          if (!items.includes(z)) fail(`${z} is not in the session`);
          const both = truth.boughtBoth(z, entry.item_id);
          if (both < K_BOUGHT) fail(`only ${both} sessions bought both`);
          if (Number(e['sessions']) !== Math.min(both, 20)) fail(`support ${both}, evidence says ${String(e['sessions'])}`);
        } else if (reason.type === 'viewed') {
          const x = String(e['item_id']);
          if (!recent.includes(x)) fail(`${x} is not among the session's recent items ${recent.join(',')}`);
          if (e['via'] === 'covisit' && !truth.coVisited(x, entry.item_id)) fail(`no session had ${x} and ${entry.item_id} within ${COVISIT_WINDOW} items`);
          else if (e['via'] === 'session_knn' && !truth.heldTogether(x, entry.item_id, session)) fail(`no other session had both ${x} and ${entry.item_id}`);
          else if (e['via'] !== 'covisit' && e['via'] !== 'session_knn') fail('unknown via');
          if (e['via'] === 'session_knn') counts['viewed via session_knn'] = (counts['viewed via session_knn'] ?? 0) + 1;
        } else if (reason.type === 'trending_category') {
          const category = String(e['category_id']);
          if (truth.categoryOf(entry.item_id) !== category) fail(`item is not in ${category}`);
          const rank = truth.trendingRank(entry.item_id, category);
          if (rank === null || rank > TOP_K || rank !== Number(e['rank'])) fail(`rank in ${category} is ${rank}`);
        } else if (reason.type === 'new') {
          const { firstSeen, interactions } = truth.newness(entry.item_id);
          if (firstSeen !== Number(e['first_seen'])) fail(`first seen at ${firstSeen}`);
          if (interactions >= NEW_ITEM_INTERACTIONS) fail(`already taken ${interactions} times`);
          if (entry.source !== 'new') fail(`said new in a ${entry.source} place`);
        } else if (reason.type === 'popular') {
          const rank = truth.trendingRank(entry.item_id, null);
          if (rank === null || rank > TOP_K || rank !== Number(e['rank'])) fail(`global rank is ${rank}`);
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    // Not vacuous: many lists from many states, and every kind of reason, many times.
    expect(lists.length).toBeGreaterThan(400);
    expect(new Set(lists.map((l) => l.last)).size).toBeGreaterThan(30);
    expect(checked).toBeGreaterThan(10_000);
    for (const type of ['bought_together', 'viewed', 'trending_category']) expect(counts[type] ?? 0, type).toBeGreaterThan(20);
    process.stdout.write(`lists checked: ${lists.length} (built after ${new Set(lists.map((l) => l.last)).size} distinct batches), reasons: ${checked} ${JSON.stringify(counts)}\n`);

    // The reason types reach ClickHouse with the served lists.
    const reasonRows = await waitFor(
      async () => (await clickhouse.query({ query: `SELECT r, count() AS n FROM ${db}.recommendations FINAL ARRAY JOIN reasons AS r GROUP BY r`, format: 'JSONEachRow' })).json<{ r: string; n: string }>(),
      (r) => r.some((row) => row.r === 'bought_together'),
      { what: 'reason types in recommendations' },
    );
    expect(reasonRows.map((row) => row.r)).toEqual(expect.arrayContaining(['viewed', 'bought_together', 'trending_category']));
  });
});
