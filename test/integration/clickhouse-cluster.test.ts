import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHousePrivacy } from '../../src/adapters/clickhouse/privacy.ts';
import { BOARDS } from '../../scripts/grafana/boards.ts';
import { expandClickHouseMacros } from '../../scripts/grafana/macros.ts';
import { panelQueries } from '../../scripts/grafana/queries.ts';
import { documentedQueries } from '../helpers/analytics-queries.ts';
import { CLICKHOUSE_CLUSTER, clickhouseClusterDown, clickhouseClusterNodes, clickhouseClusterUp } from '../helpers/clickhouse-cluster.ts';
import { startObservedEngine, type ObservedEngine } from '../helpers/observed-engine.ts';
import { waitFor } from '../helpers/wait-for.ts';

/**
 * The engine on a two-shard ClickHouse cluster by configuration alone (clickhouse.cluster/nodes): the
 * same real backlog and live replay as the dashboards test, then what analysts and the privacy
 * endpoint rely on, checked through the Distributed tables and on each node's shard.
 */

const YEAR_S = 365 * 24 * 3600;
const sqlPanels = BOARDS.flatMap((b) => panelQueries(b.build())).flatMap((q) => (q.kind === 'clickhouse' ? [{ name: `${q.board} / ${q.panel}`, sql: q.sql }] : []));

let engine: ObservedEngine | undefined;
let nodes: ClickHouseClient[] = [];

const need = (): ObservedEngine => {
  if (engine === undefined) throw new Error('the engine did not start (see beforeAll)');
  return engine;
};
const number = async (sql: string): Promise<number> => Number((await need().query(sql))[0]?.['n'] ?? 0);
/** A client of node 2 whose inserts into a Distributed table wait for every shard, as the engine's do. */
const throughNode2 = (): ClickHouseClient => createClient({ url: clickhouseClusterNodes[1] ?? '', database: need().database, clickhouse_settings: { insert_distributed_sync: 1 } });
const onNode = async (node: ClickHouseClient, sql: string): Promise<number> => Number((await (await node.query({ query: sql, format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n ?? 0);

beforeAll(async () => {
  await clickhouseClusterUp();
  engine = await startObservedEngine({
    backlog: 3000,
    env: { STREAMREC_CLICKHOUSE_URL: clickhouseClusterNodes[0] ?? '', STREAMREC_CLICKHOUSE_CLUSTER: CLICKHOUSE_CLUSTER, STREAMREC_CLICKHOUSE_NODES: clickhouseClusterNodes.join(',') },
  });
  nodes = clickhouseClusterNodes.map((url) => createClient({ url, database: need().database }));
}, 15 * 60_000);

afterAll(async () => {
  await Promise.allSettled(nodes.map((node) => node.close()));
  await engine?.stop();
  await clickhouseClusterDown();
}, 120_000);

describe('ClickHouse cluster by configuration alone (clickhouse.cluster)', () => {
  it('stores every event once, spread over both shards', async () => {
    const { replay, live } = need();
    const stored = (await number('SELECT count() AS n FROM events FINAL')) + (await number('SELECT count() AS n FROM dead_letters FINAL'));
    expect(stored).toBe(replay.produced.total + live.events + live.clicks);
    expect(await number('SELECT uniqExact(event_id) AS n FROM events')).toBe(await number('SELECT count() AS n FROM events FINAL'));
    const perShard = await Promise.all(nodes.map((node) => onNode(node, 'SELECT count() AS n FROM events_local')));
    expect(perShard.every((n) => n > 0), `events per shard: ${perShard.join(', ')}`).toBe(true);
    expect(perShard.reduce((a, b) => a + b, 0)).toBe(await number('SELECT count() AS n FROM events'));
    // Attributed clicks reach `interactions` through each node's materialized view.
    expect(await number('SELECT count() AS n FROM interactions FINAL')).toBeGreaterThan(0);
  });

  it('collapses a redelivered row with its first copy: it lands on the same shard', async () => {
    const unique = await number('SELECT count() AS n FROM events FINAL');
    const before = await number('SELECT count() AS n FROM events');
    const client = throughNode2();
    try {
      // Inserted through the other node's Distributed table: routing depends on the row, not the entry point.
      await client.command({ query: 'INSERT INTO events SELECT * FROM events WHERE cityHash64(event_id) % 10 = 0' });
    } finally {
      await client.close();
    }
    expect(await number('SELECT count() AS n FROM events')).toBeGreaterThan(before);
    expect(await number('SELECT count() AS n FROM events FINAL')).toBe(unique);
  });

  describe('dashboards and analyst queries', () => {
    // The same rows on one server: each Distributed table copied into a plain table of its shards' engine.
    const single = `${Date.now().toString(36)}_single`;
    const now = Date.now() / 1000;
    let copy: ClickHouseClient | undefined;
    beforeAll(async () => {
      // The engine writes its per-minute figures every second: stopped, the tables hold still while compared.
      await need().halt();
      const node = nodes[0] as ClickHouseClient;
      const database = need().database;
      const tables = (await (await node.query({ query: `SELECT name FROM system.tables WHERE database = '${database}' AND engine = 'Distributed'`, format: 'JSONEachRow' })).json<{ name: string }>()).map((row) => row.name);
      expect(tables).toContain('events');
      await node.command({ query: `CREATE DATABASE ${single}` });
      for (const table of tables) {
        await node.command({ query: `CREATE TABLE ${single}.${table} AS ${database}.${table}_local` });
        await node.command({ query: `INSERT INTO ${single}.${table} SELECT * FROM ${database}.${table}` });
      }
      copy = createClient({ url: clickhouseClusterNodes[0] ?? '', database: single });
    }, 120_000);
    afterAll(async () => {
      await copy?.command({ query: `DROP DATABASE IF EXISTS ${single}` });
      await copy?.close();
    });

    /** Rows in a stable order, numbers to 9 significant digits (sums of floats may differ in the last bits). */
    const canonical = (rows: readonly Record<string, unknown>[]): string[] =>
      rows.map((row) => JSON.stringify(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toPrecision(9)) : v]))).sort();

    const sameAsOneServer = async (query: string): Promise<void> => {
      const onCluster = await need().query(query);
      if (copy === undefined) throw new Error('no single-server copy (see beforeAll)');
      const onOne = await (await copy.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>();
      expect(onCluster.length).toBeGreaterThan(0);
      expect(canonical(onCluster)).toEqual(canonical(onOne));
    };

    it.each(sqlPanels)('panel $name gives through the Distributed tables what one server gives on the same rows', async ({ sql }) => {
      await sameAsOneServer(expandClickHouseMacros(sql, now - 20 * YEAR_S, now + 24 * 3600));
    });

    it.each(documentedQueries())('analyst query "$title" (docs/analytics.md) gives what one server gives', async ({ sql }) => {
      await sameAsOneServer(sql);
    });
  });

  it('deletes a forgotten shopper\'s rows on every shard', async () => {
    // Sessions of the live replay: they have events on both shards, lists served and clicks attributed.
    const sessions = (await need().query("SELECT DISTINCT session_id FROM interactions WHERE session_id != '' LIMIT 3")).map((row) => String(row['session_id']));
    expect(sessions.length).toBeGreaterThan(0);
    const privacy = new ClickHousePrivacy(nodes[0] as ClickHouseClient, need().database, nodes);
    const before = await privacy.remaining('nobody', sessions);
    expect(before['events']).toBeGreaterThan(0);
    const others = await number('SELECT count() AS n FROM events');
    await privacy.forget('nobody', sessions);
    const after = await waitFor(() => privacy.remaining('nobody', sessions), (left) => Object.values(left).every((n) => n === 0), { timeoutMs: 30_000, what: 'mutations applied on both shards' });
    expect(after).toEqual({ events: 0, interactions: 0, recommendations: 0, dead_letters: 0 });
    expect(await number('SELECT count() AS n FROM events')).toBe(others - (before['events'] ?? 0));
  });

  it('expires rows older than the retention on every shard (retention runs per node)', async () => {
    // The replays are shifted to now: 60 events of 2016 go in through the Distributed table first.
    const old = "event_date < toDate('2020-01-01')";
    const writer = throughNode2();
    try {
      const values = Array.from({ length: 60 }, (_, i) => ({ event_id: `old-${i}`, type: 'view', ts: Date.UTC(2016, 4, 1) + i * 1000, session_id: `old-s${i % 6}`, item_id: `i${i}`, kafka_offset: i, ingested_ms: Date.now() }));
      await writer.insert({ table: 'events', values, format: 'JSONEachRow' });
    } finally {
      await writer.close();
    }
    const privacy = new ClickHousePrivacy(nodes[0] as ClickHouseClient, need().database, nodes);
    const before = await Promise.all(nodes.map((node) => onNode(node, `SELECT count() AS n FROM events_local WHERE ${old}`)));
    expect(before.every((n) => n > 0), `events of 2016 per shard: ${before.join(', ')}`).toBe(true);
    const recent = await number(`SELECT count() AS n FROM events WHERE NOT (${old})`);
    expect(recent).toBeGreaterThan(0);
    await privacy.expire(365, Date.now());
    await waitFor(() => number(`SELECT count() AS n FROM events WHERE ${old}`), (n) => n === 0, { timeoutMs: 30_000, what: 'old events deleted on both shards' });
    expect(await number(`SELECT count() AS n FROM events WHERE NOT (${old})`)).toBe(recent);
  });
});
