import { RecError } from '../../errors.ts';
import { identifier, literal } from './sql.ts';

/** Suffix of the table on each node that holds that node's shard of a Distributed table. */
export const LOCAL_SUFFIX = '_local';

const TABLE_REF = /\{\{db\}\}\.([A-Za-z_][A-Za-z0-9_]*)/g;
const SHARD_KEY = /^--\s*shard key:\s*(.+?)\s*$/m;

function withoutComments(sql: string): string {
  return sql.replace(/^\s*--.*$/gm, '').trim();
}

/** The parenthesised column list that follows `from` in `sql` (types nest parentheses). */
function columnList(sql: string, from: number): string {
  const open = sql.indexOf('(', from);
  let depth = 0;
  for (let i = open; open >= 0 && i < sql.length; i += 1) {
    if (sql[i] === '(') depth += 1;
    else if (sql[i] === ')' && (depth -= 1) === 0) return sql.slice(open, i + 1);
  }
  throw new RangeError('no column list');
}

/**
 * A Distributed table computes MATERIALIZED columns itself and sends them along, which the shards
 * refuse (ClickHouse 18.16: "Cannot insert column ..., because it is MATERIALIZED column"); as ALIAS
 * columns they are computed from the stored ones when read and never sent.
 */
function asAliases(columns: string): string {
  return columns.replace(/\bMATERIALIZED\b/g, 'ALIAS');
}

/**
 * A migration file (with `{{db}}` still unbound) as the statements one node of a cluster runs: every
 * table the file names becomes its `<name>_local` table on the node (materialized views then read and
 * write the node's own shard), and where the file creates or alters a table, the Distributed table of
 * that name over all shards follows, so readers and writers keep using the plain names.
 *
 * A CREATE TABLE file must say how rows are spread, as a comment `-- shard key: <expression>`: the
 * expression must be a function of the columns of the table's ORDER BY key, so that a redelivered row
 * lands on the shard holding its first copy and ReplacingMergeTree + FINAL still collapse it.
 */
export function clusterStatements(name: string, sql: string, database: string, cluster: string): string[] {
  const db = identifier(database);
  const body = withoutComments(sql);
  const local = body.replace(TABLE_REF, (_, table: string) => `${db}.${identifier(table + LOCAL_SUFFIX)}`);
  const create = /^CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\s+\{\{db\}\}\.([A-Za-z_][A-Za-z0-9_]*)/i.exec(body);
  if (create?.[1] !== undefined) {
    const key = SHARD_KEY.exec(sql)?.[1];
    if (key === undefined) {
      throw new RecError('REC_CLICKHOUSE', `migration ${name} creates table ${create[1]} without a "-- shard key: <expression>" comment, so it cannot be distributed over cluster ${cluster}`);
    }
    const table = create[1];
    const columns = asAliases(columnList(body, create[0].length));
    const distributed = `CREATE TABLE IF NOT EXISTS ${db}.${identifier(table)} ${columns} ENGINE = Distributed(${literal(cluster)}, ${literal(database)}, ${literal(table + LOCAL_SUFFIX)}, ${key})`;
    return [local, distributed];
  }
  // ALTER of a table: the shards first, then the Distributed table's own column list.
  if (/^ALTER\s+TABLE\s/i.test(body)) return [local, asAliases(body.replace(TABLE_REF, (_, table: string) => `${db}.${identifier(table)}`))];
  // Materialized views and drops concern each node's local tables only.
  if (/^(CREATE\s+MATERIALIZED\s+VIEW|DROP\s+TABLE)\s/i.test(body)) return [local];
  throw new RecError('REC_CLICKHOUSE', `migration ${name}: cannot tell how to run "${body.slice(0, 60)}" on cluster ${cluster} (expected CREATE TABLE, CREATE MATERIALIZED VIEW, ALTER TABLE or DROP TABLE)`);
}
