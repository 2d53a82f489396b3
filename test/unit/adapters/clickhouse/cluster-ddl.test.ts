import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterStatements } from '../../../../src/adapters/clickhouse/cluster-ddl.ts';
import { DDL_DIR, loadMigrations } from '../../../../src/adapters/clickhouse/migrate.ts';
import { RecError } from '../../../../src/errors.ts';

const CREATE = `-- Events.
-- shard key: cityHash64(event_id)
CREATE TABLE IF NOT EXISTS {{db}}.events
(
    event_id String,
    price Nullable(Float64),
    event_date Date MATERIALIZED toDate(toDateTime(intDiv(ts, 1000)))
)
ENGINE = ReplacingMergeTree(ingested_ms)
ORDER BY (event_date, event_id)`;

describe('clusterStatements', () => {
  it('creates the shard table on the node and a Distributed table of the plain name over it', () => {
    const [local, distributed] = clusterStatements('0001_events.sql', CREATE, 'shop', 'main');
    expect(local).toMatch(/^CREATE TABLE IF NOT EXISTS `shop`.`events_local`\n\(/);
    expect(local).toContain('ENGINE = ReplacingMergeTree(ingested_ms)');
    expect(local).not.toContain('--');
    expect(distributed).toBe(
      "CREATE TABLE IF NOT EXISTS `shop`.`events` (\n    event_id String,\n    price Nullable(Float64),\n    event_date Date ALIAS toDate(toDateTime(intDiv(ts, 1000)))\n) ENGINE = Distributed('main', 'shop', 'events_local', cityHash64(event_id))",
    );
  });

  it('points materialized views and drops at the local tables only', () => {
    const view = 'CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.interactions_mv TO {{db}}.interactions AS\nSELECT event_id FROM {{db}}.events';
    expect(clusterStatements('0006.sql', view, 'shop', 'main')).toEqual(['CREATE MATERIALIZED VIEW IF NOT EXISTS `shop`.`interactions_mv_local` TO `shop`.`interactions_local` AS\nSELECT event_id FROM `shop`.`events_local`']);
    expect(clusterStatements('0018.sql', 'DROP TABLE IF EXISTS {{db}}.interactions_mv', 'shop', 'main')).toEqual(['DROP TABLE IF EXISTS `shop`.`interactions_mv_local`']);
  });

  it('alters the shards, then the Distributed table', () => {
    expect(clusterStatements('0016.sql', "-- Arm.\nALTER TABLE {{db}}.events ADD COLUMN variant String DEFAULT '' AFTER tenant", 'shop', 'main')).toEqual([
      "ALTER TABLE `shop`.`events_local` ADD COLUMN variant String DEFAULT '' AFTER tenant",
      "ALTER TABLE `shop`.`events` ADD COLUMN variant String DEFAULT '' AFTER tenant",
    ]);
  });

  it('refuses a table without a shard key and a statement it cannot place, naming the file', () => {
    const error = (() => {
      try {
        clusterStatements('0099_new.sql', CREATE.replace(/^-- shard key.*$/m, ''), 'shop', 'main');
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(RecError);
    expect((error as RecError).message).toContain('0099_new.sql creates table events without a "-- shard key: <expression>" comment');
    expect(() => clusterStatements('0100.sql', 'RENAME TABLE {{db}}.a TO {{db}}.b', 'shop', 'main')).toThrow(/0100.sql: cannot tell how to run/);
  });

  it('distributes every shipped table by columns of its ORDER BY key (or, for rollups filled by views, at random)', () => {
    expect(loadMigrations('shop', DDL_DIR, 'main').every((m) => m.statements.length > 0)).toBe(true);
    const creates = readdirSync(DDL_DIR).filter((name) => name.endsWith('.sql')).map((name) => ({ name, sql: readFileSync(join(DDL_DIR, name), 'utf8') })).filter((m) => /^CREATE TABLE/m.test(m.sql));
    expect(creates.length).toBeGreaterThan(5);
    for (const { name, sql } of creates) {
      const key = /^-- shard key: (.+)$/m.exec(sql)?.[1] ?? '';
      const orderBy = /^ORDER BY \(?([^)\n]+)\)?$/m.exec(sql)?.[1]?.split(',').map((column) => column.trim()) ?? [];
      const table = /\{\{db\}\}\.(\w+)/.exec(sql)?.[1] ?? '';
      if (key === 'rand()') {
        // Only materialized views write these; readers sum over shards.
        expect(readdirSync(DDL_DIR).some((file) => readFileSync(join(DDL_DIR, file), 'utf8').includes(`TO {{db}}.${table} AS`)), name).toBe(true);
        continue;
      }
      const columns = /^cityHash64\((.+)\)$/.exec(key)?.[1]?.split(',').map((column) => column.trim()) ?? [];
      expect(columns.length, `${name}: shard key ${key}`).toBeGreaterThan(0);
      for (const column of columns) expect(orderBy, `${name}: ${column} of the shard key is not in ORDER BY`).toContain(column);
    }
  });
});
