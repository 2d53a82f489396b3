import type { ClickHouseClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import type { BehaviourEvent } from '../../src/domain/event.ts';
import type { Feed } from '../../src/domain/feed.ts';
import { MODEL_VERSION, type RunningEngine } from '../../src/engine.ts';
import { startTestEngine, stopTestEngine } from '../helpers/test-engine.ts';
import { asRecord, produce, type Outgoing } from '../helpers/produce.ts';
import { waitFor } from '../helpers/wait-for.ts';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
let seq = 0;
const view = (session: string, item: string, ts: number, category = 'c1'): BehaviourEvent => ({
  event_id: `e2e-${(seq += 1)}`,
  type: 'view',
  ts,
  session_id: session,
  item_id: item,
  category_id: category,
});

/** Every way a record can be bad, with the reason the engine must give. */
const INVALID: readonly { readonly record: Outgoing; readonly reason: string }[] = [
  { record: { key: 'bad-1', value: '{"event_id": "x1", "type": "view",' }, reason: 'REC_DECODE' },
  { record: { key: 'bad-2', value: JSON.stringify({ event_id: 'x2', type: 'view', ts: T0, session_id: 'q' }) }, reason: 'REC_SCHEMA' },
  { record: { key: 'bad-3', value: JSON.stringify({ event_id: 'x3', type: 'teleport', ts: T0, session_id: 'q', item_id: 'i' }) }, reason: 'REC_SCHEMA' },
  { record: { key: 'bad-4', value: JSON.stringify({ ...view('q', 'i', T0), ts: 'yesterday' }) }, reason: 'REC_SCHEMA' },
  { record: { key: 'bad-5', value: JSON.stringify({ ...view('q', 'i', T0), extra: 1 }) }, reason: 'REC_SCHEMA' },
  { record: { key: 'bad-6', value: JSON.stringify({ ...view('q', 'i', T0), pad: 'x'.repeat(70_000) }) }, reason: 'REC_OVERSIZE' },
  { record: { key: 'bad-7', value: null }, reason: 'REC_EMPTY' },
];

describe('end to end on real Kafka, Redis and ClickHouse', () => {
  let config: Config;
  let engine: RunningEngine;
  let clickhouse: ClickHouseClient;
  let redis: Redis;
  const valid: BehaviourEvent[] = [];

  const count = async (query: string): Promise<number> => {
    const result = await clickhouse.query({ query, format: 'JSONEachRow' });
    const rows = await result.json<{ n: string }>();
    return Number(rows[0]?.n ?? 0);
  };

  beforeAll(async () => {
    ({ config, engine, redis, clickhouse } = await startTestEngine('e2e'));
  });

  afterAll(() => stopTestEngine({ config, engine, redis, clickhouse }));

  it('stores every valid event once, dead-letters every invalid one with its reason, and serves co-visitation', async () => {
    // 40 shoppers go from "phone" to "case"; 10 from "phone" to "charger"; 20 unrelated sessions add noise.
    for (let s = 0; s < 40; s += 1) valid.push(view(`train-a-${s}`, 'phone', T0 + s * 1000), view(`train-a-${s}`, 'case', T0 + s * 1000 + 500));
    for (let s = 0; s < 10; s += 1) valid.push(view(`train-b-${s}`, 'phone', T0 + s * 1000), view(`train-b-${s}`, 'charger', T0 + s * 1000 + 500));
    for (let s = 0; s < 20; s += 1) valid.push(view(`noise-${s}`, `shirt-${s % 4}`, T0 + s * 700, 'c2'), view(`noise-${s}`, `shirt-${(s + 1) % 4}`, T0 + s * 700 + 300, 'c2'));
    const records: Outgoing[] = valid.map(asRecord);
    INVALID.forEach((bad, i) => records.splice(10 + i * 9, 0, bad.record));
    await produce(config, records);
    await waitFor(() => count(`SELECT count() AS n FROM ${config.clickhouse.database}.events`), (n) => n >= valid.length, { what: 'training events in ClickHouse' });

    // The test shopper looks at a shirt, then at the phone: the feed must lead with what follows a phone.
    const probe = [view('shopper', 'shirt-1', T0 + 100_000, 'c2'), view('shopper', 'phone', T0 + 101_000)];
    valid.push(...probe);
    await produce(config, probe.map(asRecord));

    const feed = await waitFor(
      async () => {
        const text = await redis.get(`${config.redis.keyPrefix}feed:s:shopper`);
        return text === null ? null : (JSON.parse(text) as Feed);
      },
      (f) => f !== null && f.event_ts === T0 + 101_000,
      { what: 'feed of the test shopper after the phone view' },
    );
    expect(feed).not.toBeNull();
    if (feed === null) return;
    const ranked = feed.items.map((item) => item.item_id);
    expect(ranked[0]).toBe('case');
    expect(ranked.indexOf('case')).toBeLessThan(ranked.indexOf('charger'));
    // What follows a phone is co-visitation (and the sessions behind it), not popularity.
    expect(['covisit', 'session_knn']).toContain(feed.items[0]?.source);
    expect(feed.items.map((item) => item.item_id)).not.toContain('phone');
    expect(feed.items.length).toBeLessThanOrEqual(config.candidates.feedSize);
    expect(feed.model_version).toBe(MODEL_VERSION);
    expect(feed.version).toBe(1);
    expect(feed.recommendation_id).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    expect(feed.generated_at).toBeGreaterThan(Date.now() - 120_000);
    expect(await redis.ttl(`${config.redis.keyPrefix}feed:s:shopper`)).toBeGreaterThan(0);

    const features = await redis.hgetall(`${config.redis.keyPrefix}session:shopper`);
    expect(JSON.parse(features['last_items'] ?? '[]')).toEqual(['shirt-1', 'phone']);
    expect(JSON.parse(features['categories_5m'] ?? '{}')).toEqual({ c1: 1, c2: 1 });

    const db = config.clickhouse.database;
    await waitFor(() => count(`SELECT count() AS n FROM ${db}.events`), (n) => n >= valid.length, { what: 'all events in ClickHouse' });
    await waitFor(() => count(`SELECT count() AS n FROM ${db}.dead_letters`), (n) => n >= INVALID.length, { what: 'dead letters' });
    // Let any stray duplicate arrive before counting exactly.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await count(`SELECT count() AS n FROM ${db}.events`)).toBe(valid.length);
    expect(await count(`SELECT uniqExact(event_id) AS n FROM ${db}.events`)).toBe(valid.length);
    const ids = await (await clickhouse.query({ query: `SELECT event_id FROM ${db}.events`, format: 'JSONEachRow' })).json<{ event_id: string }>();
    expect(new Set(ids.map((row) => row.event_id))).toEqual(new Set(valid.map((e) => e.event_id)));

    const letters = await (
      await clickhouse.query({ query: `SELECT record_key, reason, message, payload_bytes, kafka_offset FROM ${db}.dead_letters ORDER BY record_key`, format: 'JSONEachRow' })
    ).json<{ record_key: string; reason: string; message: string; payload_bytes: string }>();
    expect(letters.map((l) => [l.record_key, l.reason])).toEqual(INVALID.map((bad) => [bad.record.key, bad.reason]));
    for (const letter of letters) expect(letter.message.length).toBeGreaterThan(5);
    expect(letters.find((l) => l.record_key === 'bad-6')?.message).toMatch(/65536-byte limit/);

    const recs = await count(`SELECT count() AS n FROM ${db}.recommendations WHERE feed_id = 's:shopper'`);
    expect(recs).toBeGreaterThanOrEqual(1);

    // The dead-letter topic holds the same records.
    const kafka = new Kafka({ brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(config.kafka.deadLetterTopic);
    await admin.disconnect();
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(INVALID.length);
  });
});
