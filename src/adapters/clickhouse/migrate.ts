import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { chCall } from './client.ts';
import { clusterStatements } from './cluster-ddl.ts';
import { identifier, literal } from './sql.ts';

export const DDL_DIR = new URL('../../../schemas/clickhouse/', import.meta.url).pathname;

export interface Migration {
  readonly name: string;
  /** The file with `{{db}}` bound to the (validated) database name. */
  readonly sql: string;
  /** What one node runs: the file itself, or on a cluster its local and Distributed statements. */
  readonly statements: readonly string[];
}

/** The numbered DDL files, in order; `cluster` names the ClickHouse cluster the tables are spread over ('' for one server). */
export function loadMigrations(database: string, dir = DDL_DIR, cluster = ''): Migration[] {
  const db = identifier(database);
  return readdirSync(dir)
    .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
    .sort()
    .map((name) => {
      const raw = readFileSync(join(dir, name), 'utf8');
      const sql = raw.replaceAll('{{db}}', db);
      return { name, sql, statements: cluster === '' ? [sql] : clusterStatements(name, raw, database, cluster) };
    });
}

export interface MigrateOptions {
  readonly dir?: string;
  /** A cluster: its name and a client per node (one replica per shard); each node is migrated in turn. */
  readonly cluster?: { readonly name: string; readonly nodes: readonly ClickHouseClient[] } | undefined;
}

/**
 * Creates the database and applies the DDL files not yet recorded in `schema_migrations`, in order.
 * Recording is what lets a file hold an ALTER (ClickHouse 18.16 has no `ADD COLUMN IF NOT EXISTS`);
 * CREATE files are `IF NOT EXISTS` as well, so a database made before the record existed catches up.
 * On a cluster every node keeps its own record (ON CLUSTER DDL needs ZooKeeper, which 18.16 clusters
 * without replication do not have), so a node added later catches up the same way.
 * Returns the files applied by this call (on any node).
 */
export async function migrate(client: ClickHouseClient, database: string, options: MigrateOptions = {}): Promise<string[]> {
  const dir = options.dir ?? DDL_DIR;
  if (options.cluster === undefined) return migrateNode(client, database, loadMigrations(database, dir), '');
  const migrations = loadMigrations(database, dir, options.cluster.name);
  const applied = new Set<string>();
  for (const [index, node] of options.cluster.nodes.entries()) {
    for (const name of await migrateNode(node, database, migrations, ` on node ${index + 1}`)) applied.add(name);
  }
  return [...applied];
}

async function migrateNode(client: ClickHouseClient, database: string, migrations: readonly Migration[], where: string): Promise<string[]> {
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
  for (const migration of migrations) {
    if (done.has(migration.name)) continue;
    for (const statement of migration.statements) await chCall(`migration ${migration.name}${where}`, () => client.command({ query: statement }));
    await chCall(`record migration ${migration.name}${where}`, () =>
      client.command({ query: `INSERT INTO ${db}.schema_migrations (name, applied_ms) VALUES (${literal(migration.name)}, ${literal(Date.now())})` }),
    );
    applied.push(migration.name);
  }
  return applied;
}
