import { runStackScript, stackStatus, type ScriptResult } from './stack-script.ts';

/**
 * The two-shard ClickHouse cluster `streamrec` of scripts/stack/clickhouse-cluster.sh, for tests of the
 * Distributed tables. Separate from the stack's ClickHouse on 8123; `down` removes its data.
 */

export const CLICKHOUSE_CLUSTER = 'streamrec';
/** HTTP URLs of node 1 and 2 (shard 1 and 2). */
export const clickhouseClusterNodes: readonly string[] = ['http://127.0.0.1:8131', 'http://127.0.0.1:8132'];

/** Starts whatever node is not running; resolves once both answer a query over the cluster. */
export function clickhouseClusterUp(): Promise<ScriptResult> {
  return runStackScript('clickhouse-cluster.sh', ['up'], 120_000);
}

/** Stops both nodes and removes their data. */
export function clickhouseClusterDown(): Promise<ScriptResult> {
  return runStackScript('clickhouse-cluster.sh', ['down'], 60_000);
}

export async function clickhouseClusterStatus(): Promise<{ readonly ok: boolean; readonly text: string }> {
  const { up, text } = await stackStatus('clickhouse-cluster.sh', 30_000);
  return { ok: up, text };
}
