import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BOARDS } from '../../../scripts/grafana/boards.ts';
import { expandClickHouseMacros } from '../../../scripts/grafana/macros.ts';
import { panelQueries, tableNames } from '../../../scripts/grafana/queries.ts';

const DDL_DIR = new URL('../../../schemas/clickhouse/', import.meta.url);
const tables = new Set(
  readdirSync(DDL_DIR)
    .filter((f) => f.endsWith('.sql'))
    .flatMap((f) => [...readFileSync(new URL(f, DDL_DIR), 'utf8').matchAll(/CREATE TABLE IF NOT EXISTS \{\{db\}\}\.(\w+)/g)].map((m) => m[1] ?? '')),
);

const queries = BOARDS.flatMap((b) => {
  const board = b.build();
  return panelQueries(board).flatMap((q) => {
    if (q.kind !== 'clickhouse') return [];
    const panel = board.panels.find((p) => p.title === q.panel);
    return [{ where: `${q.board} / ${q.panel}`, sql: q.sql, type: panel?.type }];
  });
});

describe('ClickHouse panel SQL', () => {
  it('finds the tables of schemas/clickhouse', () => {
    expect([...tables]).toEqual(expect.arrayContaining(['events', 'recommendations', 'dead_letters']));
  });

  it.each(queries)('$where reads only tables the DDL creates, unqualified', ({ sql }) => {
    const read = tableNames(sql);
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((t) => !tables.has(t))).toEqual([]);
  });

  it.each(queries)('$where keeps to what ClickHouse 18.16 runs and to the one macro the checks expand', ({ sql }) => {
    for (const absent of ['toStartOfInterval', 'LowCardinality', 'DateTime64', 'streamrec.']) expect(sql).not.toContain(absent);
    // Every JOIN names its strictness: 18.16 has no default for it.
    for (const join of sql.matchAll(/(\w+)\s+(?:INNER\s+|LEFT\s+)?JOIN\b/g)) expect(['ALL', 'ANY', 'ARRAY', 'LEFT', 'INNER']).toContain(join[1]);
    expect(() => expandClickHouseMacros(sql, 0, 1)).not.toThrow();
  });

  it.each(queries.filter((q) => q.type === 'timeseries'))('$where returns a time column for the time series', ({ sql }) => {
    expect(sql).toMatch(/\bAS time\b/);
    expect(sql).toMatch(/ORDER BY time\s*$/);
  });
});
