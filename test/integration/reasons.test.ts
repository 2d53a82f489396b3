import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/pino.ts';
import type { Config } from '../../src/config/config.ts';
import { TRENDING_WEIGHT } from '../../src/domain/candidate-state.ts';
import type { BehaviourEvent, EventType } from '../../src/domain/event.ts';
import type { Feed } from '../../src/domain/feed.ts';
import { mulberry32 } from '../../src/domain/random.ts';
import { recommendationId } from '../../src/domain/recommendation-id.ts';
import { startEngine, type RunningEngine } from '../../src/engine.ts';
import { cleanup } from '../helpers/cleanup.ts';
import { testConfig } from '../helpers/engine-config.ts';
import { asRecord, produce } from '../helpers/produce.ts';
import { waitFor } from '../helpers/wait-for.ts';

const T0 = Date.UTC(2026, 0, 10, 12);
const K_BOUGHT = 3;
const TOP_K = 4;
const COVISIT_WINDOW = 5;

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
    let ts = T0 + s * 20_000;
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
  return events;
}

interface Stored {
  readonly event: BehaviourEvent;
  readonly offset: number;
}

/** The state an independent observer derives from the events up to `last` (inclusive): nothing from the engine's code but the trending weights. */
function evidenceCheck(stream: readonly Stored[], last: number) {
  const upTo = stream.filter((e) => e.offset <= last);
  const itemsOf = (session: string): string[] => {
    const seq: string[] = [];
    for (const { event } of upTo) if (event.session_id === session && event.item_id !== undefined && seq.at(-1) !== event.item_id) seq.push(event.item_id);
    return seq;
  };
  const boughtBoth = (a: string, b: string): number => {
    const buyers = new Map<string, Set<string>>();
    for (const { event } of upTo) {
      if (event.type !== 'purchase' || event.item_id === undefined) continue;
      let set = buyers.get(event.session_id);
      if (set === undefined) buyers.set(event.session_id, (set = new Set()));
      set.add(event.item_id);
    }
    return [...buyers.values()].filter((set) => set.has(a) && set.has(b)).length;
  };
  const coVisited = (x: string, y: string): boolean => {
    const bySession = new Map<string, string[]>();
    for (const { event } of upTo) {
      if (event.item_id === undefined) continue;
      const list = bySession.get(event.session_id) ?? [];
      list.push(event.item_id);
      bySession.set(event.session_id, list);
    }
    // Co-visitation pairs each new item with the session's previous 5 distinct items, in both directions.
    const follows = (list: readonly string[], a: string, b: string): boolean =>
      list.some((item, i) => item === b && [...new Set(list.slice(0, i).reverse())].slice(0, COVISIT_WINDOW).includes(a));
    for (const list of bySession.values()) if (follows(list, x, y) || follows(list, y, x)) return true;
    return false;
  };
  const trendingRank = (item: string, category: string | null): number | null => {
    const scores = new Map<string, number>();
    const categoryOf = new Map<string, string>();
    for (const { event } of upTo) {
      if (event.item_id === undefined) continue;
      if (event.category_id !== undefined) categoryOf.set(event.item_id, event.category_id);
      const weight = TRENDING_WEIGHT[event.type];
      // Forward decay: relative order is what matters, so weights are scaled by 2^((ts - T0) / half-life).
      if (weight > 0) scores.set(event.item_id, (scores.get(event.item_id) ?? 0) + weight * 2 ** ((event.ts - T0) / 3_600_000));
    }
    const ranked = [...scores.entries()]
      .filter(([id]) => category === null || categoryOf.get(id) === category)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([id]) => id);
    const at = ranked.indexOf(item);
    return at < 0 ? null : at + 1;
  };
  const categoryOf = (item: string): string | undefined => upTo.filter((e) => e.event.item_id === item && e.event.category_id !== undefined).at(-1)?.event.category_id;
  return { itemsOf, boughtBoth, coVisited, trendingRank, categoryOf };
}

describe('reasons hold at generation time (real Kafka, Redis, ClickHouse)', () => {
  let config: Config;
  let engine: RunningEngine;
  let redis: Redis;
  let clickhouse: ClickHouseClient;

  beforeAll(async () => {
    config = testConfig('reasons', {
      STREAMREC_KAFKA_PARTITIONS: '1',
      STREAMREC_REASONS_BOUGHT_TOGETHER_MIN_SESSIONS: String(K_BOUGHT),
      STREAMREC_CANDIDATES_TRENDING_TOP_K: String(TOP_K),
    }).config;
    redis = new Redis(config.redis.url);
    clickhouse = createClient({ url: config.clickhouse.url });
    engine = await startEngine(config, createLogger({ level: 'warn' }));
  });

  afterAll(async () => {
    await engine?.stop();
    await redis?.quit();
    await clickhouse?.close();
    if (config !== undefined) await cleanup(config);
  });

  it('every reason on every served list is backed by the events the engine had read when it built the list (100 %)', async () => {
    const events = shopStream(400, 7);
    // Several sends, so the engine builds lists in many micro-batches, each from a different state.
    await produce(config, events.map(asRecord), 60);
    const db = config.clickhouse.database;
    const rows = await waitFor(
      async () => (await clickhouse.query({ query: `SELECT event_id, kafka_offset FROM ${db}.events`, format: 'JSONEachRow' })).json<{ event_id: string; kafka_offset: string }>(),
      (r) => r.length >= events.length,
      { what: 'all events stored', timeoutMs: 90_000 },
    );
    const offsetOf = new Map(rows.map((r) => [r.event_id, Number(r.kafka_offset)]));
    const stream: Stored[] = events.map((event) => ({ event, offset: offsetOf.get(event.event_id) ?? Number.NaN })).sort((a, b) => a.offset - b.offset);
    const maxOffset = stream.at(-1)?.offset ?? 0;

    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${config.redis.keyPrefix}feed:s:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    expect(keys.length).toBe(400);

    const counts: Record<string, number> = {};
    const failures: string[] = [];
    let checked = 0;
    for (const key of keys) {
      const feed = JSON.parse((await redis.get(key)) ?? 'null') as Feed;
      const session = key.slice(`${config.redis.keyPrefix}feed:s:`.length);
      // The list's id names the batch it was built after: recover that batch's last offset.
      const own = stream.filter((e) => e.event.session_id === session).at(-1)?.offset ?? 0;
      let last = -1;
      for (let o = own; o <= maxOffset && last < 0; o += 1) if (recommendationId(`s:${session}`, 0, String(o)) === feed.recommendation_id) last = o;
      expect(last, `batch of ${key}`).toBeGreaterThanOrEqual(own);
      const truth = evidenceCheck(stream, last);
      const items = truth.itemsOf(session);
      const recent = [...new Set([...items].reverse())].slice(0, 5);
      for (const entry of feed.items) {
        const reason = entry.reason;
        if (reason === undefined) continue;
        checked += 1;
        counts[reason.type] = (counts[reason.type] ?? 0) + 1;
        const e = reason.evidence;
        const fail = (why: string): void => void failures.push(`${key} ${entry.item_id} ${JSON.stringify(reason)}: ${why}`);
        if (reason.type === 'bought_together') {
          const z = String(e['item_id']);
          if (!items.includes(z)) fail(`${z} is not in the session`);
          const both = truth.boughtBoth(z, entry.item_id);
          if (both < K_BOUGHT) fail(`only ${both} sessions bought both`);
          if (Number(e['sessions']) !== Math.min(both, 20)) fail(`support ${both}, evidence says ${String(e['sessions'])}`);
        } else if (reason.type === 'viewed') {
          const x = String(e['item_id']);
          if (!recent.includes(x)) fail(`${x} is not among the session's recent items ${recent.join(',')}`);
          if (!truth.coVisited(x, entry.item_id)) fail(`no session had ${x} and ${entry.item_id} within ${COVISIT_WINDOW} items`);
        } else if (reason.type === 'trending_category') {
          const category = String(e['category_id']);
          if (truth.categoryOf(entry.item_id) !== category) fail(`item is not in ${category}`);
          const rank = truth.trendingRank(entry.item_id, category);
          if (rank === null || rank > TOP_K || rank !== Number(e['rank'])) fail(`rank in ${category} is ${rank}`);
        } else if (reason.type === 'popular') {
          const rank = truth.trendingRank(entry.item_id, null);
          if (rank === null || rank > TOP_K || rank !== Number(e['rank'])) fail(`global rank is ${rank}`);
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    // Not vacuous: every kind of reason was given, many times.
    expect(checked).toBeGreaterThan(1000);
    for (const type of ['bought_together', 'viewed', 'trending_category']) expect(counts[type] ?? 0, type).toBeGreaterThan(20);
    process.stdout.write(`reasons checked: ${checked} ${JSON.stringify(counts)}\n`);

    // The reason types reach ClickHouse with the served lists.
    const reasonRows = await waitFor(
      async () => (await clickhouse.query({ query: `SELECT r, count() AS n FROM ${db}.recommendations FINAL ARRAY JOIN reasons AS r GROUP BY r`, format: 'JSONEachRow' })).json<{ r: string; n: string }>(),
      (r) => r.some((row) => row.r === 'bought_together'),
      { what: 'reason types in recommendations' },
    );
    expect(reasonRows.map((row) => row.r)).toEqual(expect.arrayContaining(['viewed', 'bought_together', 'trending_category']));
  });
});
