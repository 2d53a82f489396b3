import type { ClickHouseClient } from '@clickhouse/client';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import type { BehaviourEvent } from '../../src/domain/event.ts';
import type { Feed } from '../../src/domain/feed.ts';
import type { RunningEngine } from '../../src/engine.ts';
import { BOT_PREFIX, attackTarget, botClicks } from '../../src/eval/bots.ts';
import { loadDiginetica } from '../../src/replay/diginetica.ts';
import { freePort } from '../helpers/free-port.ts';
import { DIGINETICA_DIR } from '../helpers/observed-engine.ts';
import { asRecord, produce } from '../helpers/produce.ts';
import { startTestEngine, stopTestEngine } from '../helpers/test-engine.ts';
import { waitFor } from '../helpers/wait-for.ts';

const ATTACK = { bots: 20, clicksPerBot: 1000, windowMs: 60_000, at: 1 };
const PROBES = 10;

describe('click bots during a Diginetica replay (real Kafka, Redis, ClickHouse)', () => {
  let config: Config;
  let engine: RunningEngine;
  let redis: Redis;
  let clickhouse: ClickHouseClient;
  let metricsUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    ({ config, engine, redis, clickhouse } = await startTestEngine('abuse', { STREAMREC_METRICS_PORT: String(port), STREAMREC_CANDIDATES_FEED_SIZE: '20' }));
  });

  afterAll(() => stopTestEngine({ config, engine, redis, clickhouse }));

  it('flags the bots’ events and no shopper’s, stores them all, and keeps the target out of every list', async () => {
    const loaded = await loadDiginetica({ dataDir: DIGINETICA_DIR, sources: ['views', 'purchases'], limit: 8000, shiftToNow: false, now: 0 });
    const replay = loaded.events;
    const counts = new Map<string, number>();
    for (const event of replay) if (event.item_id !== undefined) counts.set(event.item_id, (counts.get(event.item_id) ?? 0) + 1);
    const target = attackTarget(counts);
    const category = replay.find((event) => event.item_id === target)?.category_id ?? 'bot-target-category';
    const end = replay.at(-1)?.ts ?? 0;
    const bots = botClicks(ATTACK, target, category, end + 1000);
    // Shoppers arriving after the attack with an item nobody knows: their lists are what is trending.
    const probeTs = (bots.at(-1)?.ts ?? end) + 120_000;
    const probes: BehaviourEvent[] = Array.from({ length: PROBES }, (_, k) => ({ event_id: `probe-${k}`, type: 'view', ts: probeTs + k, session_id: `probe-${k}`, item_id: `unknown-${k}` }));
    await produce(config, [...replay, ...bots, ...probes].map(asRecord));

    const db = config.clickhouse.database;
    const total = replay.length + bots.length + probes.length;
    await waitFor(async () => Number((await (await clickhouse.query({ query: `SELECT count() AS n FROM ${db}.events FINAL`, format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n ?? 0), (n) => n >= total, { what: 'every event stored', timeoutMs: 120_000 });
    const [row] = await (
      await clickhouse.query({
        query: `SELECT countIf(session_id LIKE '${BOT_PREFIX}%') AS bot_events, countIf(bot = 1 AND session_id LIKE '${BOT_PREFIX}%') AS flagged,
                       uniqExactIf(session_id, NOT (session_id LIKE '${BOT_PREFIX}%')) AS clean, uniqExactIf(session_id, bot = 1 AND NOT (session_id LIKE '${BOT_PREFIX}%')) AS clean_flagged
                FROM ${db}.events FINAL`,
        format: 'JSONEachRow',
      })
    ).json<{ bot_events: string; flagged: string; clean: string; clean_flagged: string }>();
    expect(Number(row?.bot_events)).toBe(bots.length);
    expect(Number(row?.flagged) / bots.length).toBeGreaterThanOrEqual(0.95);
    expect(Number(row?.clean)).toBeGreaterThan(1000);
    expect(Number(row?.clean_flagged) / Number(row?.clean)).toBeLessThanOrEqual(0.01);
    const metrics = await (await fetch(metricsUrl)).text();
    const counted = Number(/^rec_events_bot_total\{reason="repeat"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
    expect(counted).toBe(Number(row?.flagged));

    const feeds = await Promise.all(probes.map(async (probe) => JSON.parse((await redis.get(`${config.redis.keyPrefix}feed:s:${probe.session_id}`)) ?? 'null') as Feed | null));
    expect(feeds.every((feed) => feed !== null && feed.items.length >= 10)).toBe(true);
    expect(feeds.filter((feed) => feed?.items.some((item) => item.item_id === target) === true)).toEqual([]);
    process.stdout.write(
      `bots: ${row?.flagged} of ${bots.length} bot events flagged, ${row?.clean_flagged} of ${row?.clean} clean sessions; target ${target} in 0 of ${PROBES} lists after the attack\n`,
    );
  });
});
