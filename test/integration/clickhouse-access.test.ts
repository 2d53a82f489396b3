import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse } from '../../src/adapters/clickhouse/client.ts';
import { migrate } from '../../src/adapters/clickhouse/migrate.ts';
import { ClickHouseWriter } from '../../src/adapters/clickhouse/writer.ts';
import type { ClickHouseConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/adapters/log/pino.ts';
import { redactConfig } from '../../src/config/load.ts';
import { services } from '../helpers/services.ts';
import { testConfig } from '../helpers/engine-config.ts';

/** The database the least-privilege users may use for this check (see schemas/clickhouse/access/). */
const DATABASE = 'streamrec_access_check';
const STACK_FILE = join(import.meta.dirname, '..', '..', '.stack', 'stack.json');

function credentials(): Record<string, string> {
  const fromStack = existsSync(STACK_FILE) ? (JSON.parse(readFileSync(STACK_FILE, 'utf8')) as { clickhouseUsersFile?: string }).clickhouseUsersFile : undefined;
  const file = fromStack ?? join(homedir(), '.config', 'streamrec', 'clickhouse-users.env');
  if (!existsSync(file)) throw new Error(`no ClickHouse user credentials at ${file}: run "bash scripts/stack/stack.sh up"`);
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('least-privilege ClickHouse users', () => {
  const creds = credentials();
  const as = (username: string, password: string, database = DATABASE): ClickHouseConfig => ({
    url: services().clickhouseUrl,
    database,
    username,
    password,
    batchMaxRows: 100,
    batchMaxWaitMs: 10,
    requestTimeoutMs: 10_000,
    cluster: '',
    nodes: '',
  });
  const engine = createClickHouse(as(creds['CH_ENGINE_USER'] ?? '', creds['CH_ENGINE_PASSWORD'] ?? ''));
  const analyst = createClickHouse(as(creds['CH_ANALYST_USER'] ?? '', creds['CH_ANALYST_PASSWORD'] ?? ''));
  const failure = async (run: () => Promise<unknown>): Promise<string> => {
    try {
      await run();
    } catch (error) {
      return error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : String(error);
    }
    throw new Error('expected the server to refuse');
  };

  beforeAll(async () => {
    await engine.command({ query: `DROP DATABASE IF EXISTS ${DATABASE}` });
  });

  afterAll(async () => {
    await engine.command({ query: `DROP DATABASE IF EXISTS ${DATABASE}` });
    await Promise.all([engine.close(), analyst.close()]);
  });

  it('lets the engine user create its schema and write, and nothing outside its databases', async () => {
    const applied = await migrate(engine, DATABASE);
    expect(applied.length).toBeGreaterThan(10);
    await new ClickHouseWriter(engine, DATABASE).insert({
      events: [{ event: { event_id: 'acl-1', type: 'view', ts: Date.UTC(2026, 0, 1), session_id: 's', item_id: 'i' }, origin: { topic: 't', partition: 0, offset: '0' }, receivedAt: 1, late: false }],
      recommendations: [],
      deadLetters: [],
    });
    expect(await failure(() => engine.query({ query: 'SELECT count() FROM system.one JOIN default.nonexistent USING dummy' }))).toMatch(/Access denied to database default|291/);
    expect(await failure(() => engine.command({ query: 'CREATE DATABASE streamrec_not_allowed' }))).toMatch(/Access denied|291/);
  });

  it('lets the analyst user read, and refuses its writes and DDL', async () => {
    const rows = await (await analyst.query({ query: `SELECT count() AS n FROM ${DATABASE}.events FINAL`, format: 'JSONEachRow' })).json<{ n: string }>();
    expect(rows).toEqual([{ n: '1' }]);
    expect(await failure(() => analyst.command({ query: `INSERT INTO ${DATABASE}.events (event_id, type, ts, session_id) VALUES ('x', 'view', 1, 's')` }))).toMatch(/readonly|164/);
    expect(await failure(() => analyst.command({ query: `CREATE TABLE ${DATABASE}.t (a String) ENGINE = Memory` }))).toMatch(/readonly|164/);
    expect(await failure(() => analyst.command({ query: `DROP TABLE ${DATABASE}.events` }))).toMatch(/readonly|164/);
  });

  it('refuses a wrong password, and never logs passwords', async () => {
    const intruder = createClickHouse(as(creds['CH_ENGINE_USER'] ?? '', 'wrong'));
    expect(await failure(() => intruder.query({ query: 'SELECT 1' }))).toMatch(/password|193|516/i);
    await intruder.close();
    const { config } = testConfig('acl', {
      STREAMREC_CLICKHOUSE_USERNAME: creds['CH_ENGINE_USER'] ?? '',
      STREAMREC_CLICKHOUSE_PASSWORD: creds['CH_ENGINE_PASSWORD'] ?? '',
      STREAMREC_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      STREAMREC_KAFKA_SASL_USERNAME: 'engine',
      STREAMREC_KAFKA_SASL_PASSWORD: 'kafka-secret-1',
      STREAMREC_REDIS_URL: 'redis://engine:redis-secret-2@127.0.0.1:6379',
    });
    const lines: string[] = [];
    const logger = createLogger({ level: 'info' }, 'acl', { write: (line: string) => void lines.push(line) });
    logger.info({ config: redactConfig(config) }, 'starting engine');
    const text = lines.join('\n');
    expect(text).toContain('starting engine');
    for (const secret of [creds['CH_ENGINE_PASSWORD'] ?? '', 'kafka-secret-1', 'redis-secret-2']) expect(text).not.toContain(secret);
  });
});
