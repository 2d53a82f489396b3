import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/pino.ts';
import type { Config } from '../../src/config/config.ts';
import { startEngine, type RunningEngine } from '../../src/engine.ts';
import { HOSTILE } from '../fixtures/hostile.ts';
import { cleanup } from '../helpers/cleanup.ts';
import { testConfig } from '../helpers/engine-config.ts';
import { produce } from '../helpers/produce.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** The broker itself refuses records over its message.max.bytes (1 MB by default): they never reach the engine. */
const BROKER_LIMIT = 1_000_000;
const cases = HOSTILE.filter((c) => (c.value?.length ?? 0) < BROKER_LIMIT);

describe('hostile input through the real broker into ClickHouse', () => {
  let config: Config;
  let engine: RunningEngine;
  let clickhouse: ClickHouseClient;

  beforeAll(async () => {
    config = testConfig('hostile').config;
    clickhouse = createClient({ url: config.clickhouse.url, database: config.clickhouse.database });
    engine = await startEngine(config, createLogger({ level: 'error' }));
  });

  afterAll(async () => {
    await engine?.stop();
    await clickhouse?.close();
    if (config !== undefined) await cleanup(config);
  });

  it('stores each valid record verbatim once per delivery and dead-letters every other one with its reason', async () => {
    await produce(config, cases.map((c, i) => ({ key: `case-${i}`, value: c.value })));
    const rows = async (sql: string): Promise<Record<string, string>[]> => (await clickhouse.query({ query: sql, format: 'JSONEachRow' })).json<Record<string, string>>();
    const stored = async (): Promise<number> => Number((await rows('SELECT (SELECT count() FROM events) + (SELECT count() FROM dead_letters) AS n'))[0]?.['n'] ?? 0);
    await waitFor(stored, (n) => n >= cases.length, { what: 'every hostile record stored or dead-lettered' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await stored()).toBe(cases.length);

    const letters = await rows('SELECT record_key, reason FROM dead_letters ORDER BY kafka_offset');
    const events = await rows('SELECT event_id, type, query, item_id, session_id FROM events');
    for (const [i, c] of cases.entries()) {
      const key = `case-${i}`;
      const letter = letters.find((l) => l['record_key'] === key);
      if (c.expect === 'valid') {
        expect(letter, `${c.name} was dead-lettered`).toBeUndefined();
        const sent = JSON.parse((c.value ?? Buffer.alloc(0)).toString('utf8').replace(/^\ufeff/, '')) as Record<string, string>;
        const row = events.find((e) => e['event_id'] === sent['event_id'] && (sent['query'] === undefined || e['query'] === sent['query']));
        expect(row, `${c.name} is not in events`).toBeDefined();
      } else {
        expect(letter?.['reason'], c.name).toBe(c.expect);
      }
    }
    // The duplicate delivery is two rows, and one for analysts.
    const dup = await rows("SELECT count() AS n, (SELECT count() FROM events FINAL WHERE event_id = 'hostile-dup') AS final FROM events WHERE event_id = 'hostile-dup'");
    expect(dup[0]).toEqual({ n: '2', final: '1' });
    // The tables the SQL-looking strings talk about are all still there.
    const tables = await rows(`SELECT name FROM system.tables WHERE database = '${config.clickhouse.database}' AND name IN ('events', 'dead_letters', 'recommendations')`);
    expect(tables).toHaveLength(3);
  });
});
