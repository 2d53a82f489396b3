import type { ClickHouseClient } from '@clickhouse/client';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import type { BehaviourEvent } from '../../src/domain/event.ts';
import type { Feed } from '../../src/domain/feed.ts';
import type { ItemUpdate } from '../../src/domain/item-update.ts';
import { mulberry32 } from '../../src/domain/random.ts';
import type { RunningEngine } from '../../src/engine.ts';
import { asRecord, produce, type Outgoing } from '../helpers/produce.ts';
import { startTestEngine, stopTestEngine } from '../helpers/test-engine.ts';
import { waitFor } from '../helpers/wait-for.ts';

const T0 = Date.UTC(2026, 0, 12, 10);
const CLUSTERS = 8;
const PER_CLUSTER = 25;
const SESSIONS_PER_CLUSTER = 30;
const DIMS = 24;
const X = 2;

/** A catalogue of planted vector clusters: item k<c>-<i> lies near centre c, with no category or text. */
function catalogue(seed: number): { updates: ItemUpdate[]; centre: (c: number) => number[] } {
  const random = mulberry32(seed);
  const centres = Array.from({ length: CLUSTERS }, () => Array.from({ length: DIMS }, () => random() * 2 - 1));
  const updates: ItemUpdate[] = [];
  for (let c = 0; c < CLUSTERS; c += 1) {
    for (let i = 0; i < PER_CLUSTER; i += 1) updates.push({ item_id: `k${c}-${i}`, ts: T0, vector: (centres[c] ?? []).map((x) => x + 0.3 * (random() * 2 - 1)) });
  }
  return { updates, centre: (c) => centres[c] ?? [] };
}

const asUpdate = (update: ItemUpdate): Outgoing => ({ key: update.item_id, value: JSON.stringify(update) });

describe('item catalogue and content candidates (real Kafka, Redis, ClickHouse)', () => {
  let config: Config;
  let engine: RunningEngine;
  let redis: Redis;
  let clickhouse: ClickHouseClient;

  // No exploration places: a new item can only reach a list through its content.
  beforeAll(async () => {
    ({ config, engine, redis, clickhouse } = await startTestEngine('catalogue', { STREAMREC_CANDIDATES_EXPLORE_SHARE: '0', STREAMREC_CANDIDATES_FEED_SIZE: '20' }));
  });

  afterAll(() => stopTestEngine({ config, engine, redis, clickhouse }));

  it('puts a new item with no interactions into the top 20 of most sessions of its vector cluster soon after its update, and dead-letters bad updates', async () => {
    const { updates, centre } = catalogue(5);
    const items = config.kafka.itemUpdatesTopic;
    await produce(config, updates.map(asUpdate), 500, items);
    const db = config.clickhouse.database;
    const storedItems = async (): Promise<number> => Number((await (await clickhouse.query({ query: `SELECT count() AS n FROM ${db}.items FINAL`, format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n ?? 0);
    // Stored means taken: the catalogue applies an update before ClickHouse gets it.
    await waitFor(storedItems, (count) => count >= updates.length, { what: 'catalogue loaded' });
    const random = mulberry32(8);
    const events: BehaviourEvent[] = [];
    let n = 0;
    const sessionsOf = (c: number): string[] => Array.from({ length: SESSIONS_PER_CLUSTER }, (_, s) => `cl${c}-s${s}`);
    let ts = T0 + 60_000;
    for (let c = 0; c < CLUSTERS; c += 1) {
      for (const session of sessionsOf(c)) {
        const steps = 3 + Math.floor(random() * 3);
        for (let k = 0; k < steps; k += 1) events.push({ event_id: `ct-${(n += 1)}`, type: 'view', ts: (ts += 1000), session_id: session, item_id: `k${c}-${Math.floor(random() * PER_CLUSTER)}` });
      }
    }
    await produce(config, events.map(asRecord));
    const feedOf = async (session: string): Promise<Feed | null> => JSON.parse((await redis.get(`${config.redis.keyPrefix}feed:s:${session}`)) ?? 'null') as Feed | null;
    const lastTs = events.at(-1)?.ts ?? 0;
    await waitFor(() => feedOf(events.at(-1)?.session_id ?? ''), (feed) => feed?.event_ts === lastTs, { what: 'every session served' });

    // The new item: at cluster X's centre, never taken by anyone. Bad updates go with it.
    const fresh: ItemUpdate = { item_id: 'fresh-x', ts: T0 + 600_000, vector: centre(X) };
    const bad: Outgoing[] = [
      { key: 'short', value: JSON.stringify({ item_id: 'short-vector', ts: T0, vector: [1, 2, 3] }) },
      { key: 'broken', value: '{"item_id": "broken",' },
      { key: 'no-ts', value: JSON.stringify({ item_id: 'no-ts' }) },
    ];
    const updated = Date.now();
    await produce(config, [asUpdate(fresh), ...bad], 500, items);
    // Sessions go on browsing; every feed built from now on may use the update.
    const watched = [...sessionsOf(X), ...sessionsOf(5)];
    let round = 0;
    let reached = -1;
    const share = async (sessions: readonly string[]): Promise<number> => {
      const feeds = await Promise.all(sessions.map(feedOf));
      return feeds.filter((feed) => feed?.items.some((item) => item.item_id === fresh.item_id) === true).length / sessions.length;
    };
    while (reached < 0 && Date.now() - updated < 30_000) {
      round += 1;
      const stepTs = lastTs + round * 1000;
      await produce(config, watched.map((session, i) => asRecord({ event_id: `ct-r${round}-${i}`, type: 'view', ts: stepTs, session_id: session, item_id: `k${session.startsWith(`cl${X}-`) ? X : 5}-${(i + round) % PER_CLUSTER}` })));
      await waitFor(() => feedOf(watched.at(-1) ?? ''), (feed) => (feed?.event_ts ?? 0) >= stepTs, { what: `round ${round} served` });
      if ((await share(sessionsOf(X))) >= 0.8) reached = Date.now() - updated;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const inX = await share(sessionsOf(X));
    const elsewhere = await share(sessionsOf(5));
    expect(inX).toBeGreaterThanOrEqual(0.8);
    expect(elsewhere).toBeLessThanOrEqual(0.1);
    const listed = (await Promise.all(sessionsOf(X).map(feedOf))).flatMap((feed) => feed?.items.filter((item) => item.item_id === fresh.item_id) ?? []);
    expect(listed.every((item) => item.source === 'content' || item.source === 'session_knn' || item.source === 'covisit')).toBe(true);
    process.stdout.write(`new item in the top 20 of ${(inX * 100).toFixed(0)} % of cluster-${X} sessions (${(elsewhere * 100).toFixed(0)} % of another cluster's) ${reached} ms after its update was produced (round ${round} of session steps)\n`);

    // Stored: every good update in `items`, each bad one in `dead_letters` with its reason.
    expect(await waitFor(storedItems, (count) => count >= updates.length + 1, { what: 'item rows' })).toBe(updates.length + 1);
    const letters = await waitFor(
      async () => (await clickhouse.query({ query: `SELECT record_key, reason, message FROM ${db}.dead_letters WHERE topic = '${items}' ORDER BY record_key`, format: 'JSONEachRow' })).json<{ record_key: string; reason: string; message: string }>(),
      (r) => r.length >= bad.length,
      { what: 'dead letters of bad updates' },
    );
    expect(letters.map((l) => [l.record_key, l.reason])).toEqual([
      ['broken', 'REC_DECODE'],
      ['no-ts', 'REC_SCHEMA'],
      ['short', 'REC_SCHEMA'],
    ]);
    expect(letters.find((l) => l.record_key === 'short')?.message).toContain(`vector has 3 dimensions; this catalogue's vectors have ${DIMS}`);
    expect(letters.find((l) => l.record_key === 'no-ts')?.message).toContain("item update: must have required property 'ts'");
  });
});
