import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHousePrivacy } from '../../src/adapters/clickhouse/privacy.ts';
import { createLogger } from '../../src/adapters/log/pino.ts';
import type { Config } from '../../src/config/config.ts';
import type { BehaviourEvent } from '../../src/domain/event.ts';
import type { Feed } from '../../src/domain/feed.ts';
import { pseudonymizer } from '../../src/domain/pseudonym.ts';
import { startEngine, type RunningEngine } from '../../src/engine.ts';
import { cleanup } from '../helpers/cleanup.ts';
import { testConfig } from '../helpers/engine-config.ts';
import { startEngineWithApi, type EngineWithApi } from '../helpers/engine-api.ts';
import { asRecord, produce } from '../helpers/produce.ts';
import { waitFor } from '../helpers/wait-for.ts';

const KEY = 'privacy-test-key';
const SECRET = 'test-pseudonym-key';
const T0 = Date.UTC(2026, 0, 20, 9);

describe('privacy: pseudonymous user ids and forget-user (real Kafka, Redis, ClickHouse)', () => {
  let running: EngineWithApi | undefined;
  let config: Config;
  let app: FastifyInstance;
  let redis: Redis;
  let clickhouse: ClickHouseClient;

  beforeAll(async () => {
    running = await startEngineWithApi('privacy', KEY, { STREAMREC_PRIVACY_PSEUDONYM_KEY: SECRET, STREAMREC_CANDIDATES_TRENDING_HOLD_MS: '0' });
    ({ config, app } = running);
    redis = new Redis(config.redis.url);
    clickhouse = createClient({ url: config.clickhouse.url });
  });

  afterAll(async () => {
    await redis?.quit();
    await clickhouse?.close();
    await running?.stop();
  });

  it('stores only pseudonyms, and forgets a user everywhere within seconds of the request', async () => {
    const db = config.clickhouse.database;
    const count = async (where: string, table = 'events'): Promise<number> => Number((await (await clickhouse.query({ query: `SELECT count() AS n FROM ${db}.${table} WHERE ${where}`, format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n ?? 0);
    let n = 0;
    let ts = T0;
    const event = (session: string, item: string, extra: Partial<BehaviourEvent> = {}): BehaviourEvent => ({ event_id: `pv-${(n += 1)}`, type: 'view', ts: (ts += 1000), session_id: session, item_id: item, ...extra });
    // Alice browses on her laptop before logging in, then on laptop and phone; Bob and an anonymous shopper browse too.
    const events = [
      event('a-laptop', 'x1'),
      event('a-laptop', 'x2', { user_id: 'alice' }),
      event('a-phone', 'x3', { user_id: 'alice' }),
      event('a-phone', 'x4', { user_id: 'alice', type: 'purchase' }),
      event('b-1', 'x1', { user_id: 'bob' }),
      event('b-1', 'x2', { user_id: 'bob' }),
      event('anon', 'x3'),
    ];
    // A rejected record of Alice's: its raw payload goes to dead_letters.
    const broken = { key: 'a-phone', value: JSON.stringify({ event_id: 'pv-bad', type: 'teleport', ts: ts + 1000, session_id: 'a-phone', user_id: 'alice' }) };
    await produce(config, [...events.map(asRecord), broken]);
    await waitFor(() => count('1'), (stored) => stored >= events.length, { what: 'events stored' });
    await waitFor(() => count('1', 'dead_letters'), (stored) => stored >= 1, { what: 'dead letter stored' });
    await waitFor(() => redis.exists(`${config.redis.keyPrefix}feed:u:alice`), (exists) => exists === 1, { what: "alice's user feed" });
    // Clicked from a list: the interactions table gets a row too.
    const list = await waitFor(async () => JSON.parse((await redis.get(`${config.redis.keyPrefix}feed:s:a-phone`)) ?? 'null') as Feed | null, (feed) => feed !== null, { what: 'a-phone feed' });
    await produce(config, [asRecord(event('a-phone', list?.items[0]?.item_id ?? 'x1', { user_id: 'alice', type: 'click', recommendation_id: list?.recommendation_id ?? '' }))]);
    await waitFor(() => count('1', 'interactions'), (stored) => stored >= 1, { what: 'interaction stored' });

    // Pseudonyms only: the raw id is in no table.
    const alice = pseudonymizer(SECRET)('alice');
    expect(alice).toMatch(/^p_[A-Za-z0-9_-]{22}$/);
    expect(await count(`user_id = 'alice'`)).toBe(0);
    expect(await count(`user_id = '${alice}'`)).toBe(4);
    expect(await count(`owner_id = 'alice' OR feed_id = 'u:alice'`, 'recommendations')).toBe(0);
    expect(await count(`owner_id = '${alice}'`, 'recommendations')).toBeGreaterThan(0);
    expect(await count(`position(payload, 'alice') > 0`, 'dead_letters')).toBe(0);
    expect(await count(`position(payload, '${alice}') > 0`, 'dead_letters')).toBe(1);
    expect(await count(`user_id = '${alice}'`, 'interactions')).toBe(1);

    const asked = Date.now();
    const response = await app.inject({ method: 'DELETE', url: '/v1/users/alice', headers: { 'x-api-key': KEY } });
    expect(response.statusCode).toBe(202);
    const privacy = new ClickHousePrivacy(clickhouse, db);
    const sessions = ['a-laptop', 'a-phone'];
    const keys = [`feed:u:alice`, 'feed:s:a-laptop', 'feed:s:a-phone', 'session:a-laptop', 'session:a-phone'].map((key) => `${config.redis.keyPrefix}${key}`);
    await waitFor(() => redis.exists(...keys), (left) => left === 0, { what: "alice's Redis keys gone", intervalMs: 50 });
    const left = await waitFor(() => privacy.remaining(alice, sessions), (rows) => Object.values(rows).every((r) => r === 0), { what: "alice's ClickHouse rows gone", timeoutMs: 300_000, intervalMs: 100 });
    const seconds = (Date.now() - asked) / 1000;
    expect(left).toEqual({ events: 0, interactions: 0, recommendations: 0, dead_letters: 0 });
    expect(await count(`user_pseudonym = '${alice}'`, 'privacy_requests')).toBe(1);
    expect(seconds).toBeLessThan(300);

    // Everyone else is untouched.
    expect(await count(`session_id IN ('b-1', 'anon')`)).toBe(3);
    expect(await redis.exists(`${config.redis.keyPrefix}feed:u:bob`)).toBe(1);
    // The engine forgot her too: her next session starts with no profile behind it.
    const fresh = event('a-tablet', 'x9', { user_id: 'alice' });
    await produce(config, [asRecord(fresh)]);
    const tablet = await waitFor(async () => JSON.parse((await redis.get(`${config.redis.keyPrefix}feed:s:a-tablet`)) ?? 'null') as Feed | null, (feed) => feed !== null, { what: 'a-tablet feed' });
    expect(tablet?.items.some((item) => item.source === 'profile' || item.reason?.type === 'viewed_earlier')).toBe(false);
    process.stdout.write(`forget-user: every Redis key and ClickHouse row of the user gone ${seconds.toFixed(2)} s after DELETE /v1/users/alice\n`);
  });
});

describe('retention (real Kafka, Redis, ClickHouse)', () => {
  let config: Config;
  let engine: RunningEngine;
  let clickhouse: ClickHouseClient;

  beforeAll(async () => {
    config = testConfig('retention', { STREAMREC_PRIVACY_RETENTION_DAYS: '2', STREAMREC_PRIVACY_RETENTION_INTERVAL_MS: '1000' }).config;
    engine = await startEngine(config, createLogger({ level: 'warn' }));
    clickhouse = createClient({ url: config.clickhouse.url });
  });

  afterAll(async () => {
    await clickhouse?.close();
    await engine?.stop();
    if (config !== undefined) await cleanup(config);
  });

  it('deletes rows older than privacy.retentionDays and keeps the rest', async () => {
    const db = config.clickhouse.database;
    const count = async (where: string, table = 'events'): Promise<number> => Number((await (await clickhouse.query({ query: `SELECT count() AS n FROM ${db}.${table} WHERE ${where}`, format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n ?? 0);
    const now = Date.now();
    const old = Array.from({ length: 5 }, (_, k): BehaviourEvent => ({ event_id: `old-${k}`, type: 'view', ts: now - 5 * 86_400_000 + k, session_id: `old-${k}`, item_id: 'x' }));
    const recent = Array.from({ length: 5 }, (_, k): BehaviourEvent => ({ event_id: `new-${k}`, type: 'view', ts: now + k, session_id: `new-${k}`, item_id: 'x' }));
    // Old events arrive late for the watermark (they are stored all the same) and are the ones to go.
    await produce(config, [...recent, ...old].map(asRecord));
    await waitFor(() => count(`session_id LIKE 'new-%'`), (n) => n === 5, { what: 'recent events stored' });
    // The per-minute counts (no personal data, not subject to retention) show the old events were stored.
    const storedOld = async (): Promise<number> => Number((await (await clickhouse.query({ query: `SELECT sum(events) AS n FROM ${db}.events_per_minute WHERE minute < toDateTime(${Math.floor((now - 4 * 86_400_000) / 1000)})`, format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n ?? 0);
    await waitFor(storedOld, (n) => n === 5, { what: 'old events stored once' });
    await waitFor(() => count(`session_id LIKE 'old-%'`), (n) => n === 0, { what: 'old events deleted', timeoutMs: 60_000 });
    expect(await count(`session_id LIKE 'new-%'`)).toBe(5);
    expect(await count(`owner_kind = 'session' AND owner_id LIKE 'new-%'`, 'recommendations')).toBeGreaterThan(0);
  });
});
