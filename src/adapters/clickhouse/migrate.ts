import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { chCall } from './client.ts';
import { identifier } from './sql.ts';

export const DDL_DIR = new URL('../../../schemas/clickhouse/', import.meta.url).pathname;

/** The numbered DDL files, in order, with `{{db}}` bound to the (validated) database name. */
export function loadMigrations(database: string, dir = DDL_DIR): { name: string; sql: string }[] {
  const db = identifier(database);
  return readdirSync(dir)
    .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8').replaceAll('{{db}}', db) }));
}

/** Creates the database and applies every DDL file; each is `IF NOT EXISTS`, so this runs on every start. */
export async function migrate(client: ClickHouseClient, database: string): Promise<string[]> {
  await chCall('create database', () => client.command({ query: `CREATE DATABASE IF NOT EXISTS ${identifier(database)}` }));
  const applied: string[] = [];
  for (const migration of loadMigrations(database)) {
    await chCall(`migration ${migration.name}`, () => client.command({ query: migration.sql }));
    applied.push(migration.name);
  }
  return applied;
}
