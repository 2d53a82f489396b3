import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse } from '../../../src/adapters/clickhouse/client.ts';
import { loadMigrations, migrate } from '../../../src/adapters/clickhouse/migrate.ts';
import { RawSql, identifier, sql } from '../../../src/adapters/clickhouse/sql.ts';
import { ClickHouseWriter } from '../../../src/adapters/clickhouse/writer.ts';
import type { IngestedEvent } from '../../../src/domain/event.ts';
import { services, uniqueName } from '../../helpers/services.ts';

const database = uniqueName('ch');
const client = createClickHouse({
  url: services().clickhouseUrl,
  database,
  username: 'default',
  password: '',
  batchMaxRows: 100,
  batchMaxWaitMs: 10,
  requestTimeoutMs: 10_000,
  cluster: '',
  nodes: '',
});
const db = new RawSql(identifier(database));

async function one<T>(query: string): Promise<T | undefined> {
  const rows = await (await client.query({ query, format: 'JSONEachRow' })).json<T>();
  return rows[0];
}

const ingested = (id: string, offset: number, extra: Partial<IngestedEvent['event']> = {}): IngestedEvent => ({
  event: { event_id: id, type: 'view', ts: Date.UTC(2026, 3, 1, 10), session_id: 's1', item_id: 'i1', ...extra },
  origin: { topic: 't', partition: 1, offset: String(offset) },
  receivedAt: Date.UTC(2026, 3, 1, 10, 0, 1) + offset,
  late: false,
});

describe('ClickHouse adapter on the real server', () => {
  beforeAll(async () => {
    await migrate(client, database);
  });
  afterAll(async () => {
    await client.command({ query: `DROP DATABASE IF EXISTS ${identifier(database)}` });
    await client.close();
  });

  it('applies each numbered DDL file once, recording it in schema_migrations', async () => {
    expect(await migrate(client, database)).toEqual([]);
    const recorded = await (await client.query({ query: sql`SELECT name FROM ${db}.schema_migrations FINAL ORDER BY name`, format: 'JSONEachRow' })).json<{ name: string }>();
    expect(recorded.map((r) => r.name)).toEqual(loadMigrations(database).map((m) => m.name));
    const tables = await (await client.query({ query: sql`SELECT name FROM system.tables WHERE database = ${database} ORDER BY name`, format: 'JSONEachRow' })).json<{ name: string }>();
    expect(tables.map((t) => t.name)).toEqual([
      'dead_letters',
      'engine_metrics',
      'events',
      'events_per_minute',
      'events_per_minute_mv',
      'interactions',
      'interactions_mv',
      'item_events_hourly',
      'item_events_hourly_mv',
      'items',
      'model_evaluation',
      'privacy_requests',
      'recommendations',
      'recommendations_per_minute',
      'recommendations_per_minute_mv',
      'schema_migrations',
    ]);
  });

  it('brings a database made before migrations were recorded up to date, ALTERs included', async () => {
    const old = `${database}_old`;
    try {
      await client.command({ query: `CREATE DATABASE ${identifier(old)}` });
      for (const m of loadMigrations(old).slice(0, 3)) await client.command({ query: m.sql });
      const applied = await migrate(client, old);
      expect(applied).toEqual(loadMigrations(old).map((m) => m.name));
      const columns = await (await client.query({ query: sql`SELECT name FROM system.columns WHERE database = ${old} AND table = 'recommendations'`, format: 'JSONEachRow' })).json<{ name: string }>();
      expect(columns.map((c) => c.name)).toContain('variant');
    } finally {
      await client.command({ query: `DROP DATABASE IF EXISTS ${identifier(old)}` });
    }
  });

  it('round-trips hostile strings through the one escaping helper', async () => {
    const hostile = [
      "O'Brien",
      'back\\slash',
      "'; DROP TABLE events; --",
      'line\nbreak\ttab\rreturn',
      'nul\0byte',
      'emoji 🛒 and RTL שלום and ﷽',
      '\\\'',
      '{name:String}',
      '\u0001\u001f control',
    ];
    for (const value of hostile) {
      const row = await one<{ v: string }>(sql`SELECT ${value} AS v`);
      expect(row?.v).toBe(value);
    }
    const numbers = await one<{ a: number; b: string; c: number[] }>(sql`SELECT ${1.5} AS a, ${12345678901234567n} AS b, ${[1, 2, 3]} AS c`);
    expect(numbers).toEqual({ a: 1.5, b: '12345678901234567', c: [1, 2, 3] });
  });

  it('stores events with every optional field and collapses a redelivered event under FINAL', async () => {
    const writer = new ClickHouseWriter(client, database);
    const full = ingested('e-full', 1, {
      user_id: 'u1',
      query: "smart 'watch'",
      category_id: 'c9',
      price: 19.99,
      quantity: 2,
      rating: 4,
      recommendation_id: 'r1',
      device: 'ios 🍎',
      tenant: 'shop-1',
    });
    await writer.insert({ events: [full, ingested('e-dup', 2)], recommendations: [], deadLetters: [] });
    await writer.insert({ events: [ingested('e-dup', 3)], recommendations: [], deadLetters: [] });
    const stored = await one<Record<string, unknown>>(sql`SELECT *, toUnixTimestamp(event_time) AS event_s FROM ${db}.events WHERE event_id = ${'e-full'}`);
    expect(stored).toMatchObject({ user_id: 'u1', query: "smart 'watch'", price: 19.99, quantity: 2, rating: 4, device: 'ios 🍎', event_s: Date.UTC(2026, 3, 1, 10) / 1000 });
    expect((await one<{ n: string }>(`SELECT count() AS n FROM ${identifier(database)}.events FINAL`))?.n).toBe('2');
    expect((await one<{ n: string }>(`SELECT uniqExact(event_id) AS n FROM ${identifier(database)}.events`))?.n).toBe('2');
  });
});
