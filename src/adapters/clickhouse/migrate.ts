import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { chCall } from './client.ts';
import { identifier, literal } from './sql.ts';

export const DDL_DIR = new URL('../../../schemas/clickhouse/', import.meta.url).pathname;

/** The numbered DDL files, in order, with `{{db}}` bound to the (validated) database name. */
export function loadMigrations(database: string, dir = DDL_DIR): { name: string; sql: string }[] {
  const db = identifier(database);
  return readdirSync(dir)
    .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8').replaceAll('{{db}}', db) }));
}

/**
 * Creates the database and applies the DDL files not yet recorded in `schema_migrations`, in order.
 * Recording is what lets a file hold an ALTER (ClickHouse 18.16 has no `ADD COLUMN IF NOT EXISTS`);
 * CREATE files are `IF NOT EXISTS` as well, so a database made before the record existed catches up.
 * Returns the files applied by this call.
 */
export async function migrate(client: ClickHouseClient, database: string, dir = DDL_DIR): Promise<string[]> {
  const db = identifier(database);
  await chCall('create database', () => client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` }));
  await chCall('create schema_migrations', () =>
    client.command({
      query: `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (name String, applied_ms UInt64) ENGINE = ReplacingMergeTree(applied_ms) ORDER BY name`,
    }),
  );
  const done = await chCall('read schema_migrations', async () => {
    const result = await client.query({ query: `SELECT DISTINCT name FROM ${db}.schema_migrations`, format: 'JSONEachRow' });
    return new Set((await result.json<{ name: string }>()).map((row) => row.name));
  });
  const applied: string[] = [];
  for (const migration of loadMigrations(database, dir)) {
    if (done.has(migration.name)) continue;
    await chCall(`migration ${migration.name}`, () => client.command({ query: migration.sql }));
    await chCall(`record migration ${migration.name}`, () =>
      client.command({ query: `INSERT INTO ${db}.schema_migrations (name, applied_ms) VALUES (${literal(migration.name)}, ${literal(Date.now())})` }),
    );
    applied.push(migration.name);
  }
  return applied;
}
