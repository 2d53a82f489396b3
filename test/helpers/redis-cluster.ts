import { runStackScript, stackStatus, type ScriptResult } from './stack-script.ts';

/**
 * The three-master Redis Cluster (no replicas, no persistence) of scripts/stack/redis-cluster.sh, for tests
 * of the cluster-mode Redis client. Separate from the standalone Redis on 6379; `down` removes its state,
 * so every `up` after a `down` forms a fresh, empty cluster.
 */

/** Seed addresses (host:port) of node 1..3; any of them is a valid seed for a cluster client. */
export const redisClusterNodes: readonly string[] = ['127.0.0.1:39381', '127.0.0.1:39382', '127.0.0.1:39383'];

/** A cold start takes ~3-10 s (cluster creation plus Redis's rejoin delay); the script itself waits up to 60 s. */
const UP_TIMEOUT_MS = 120_000;
const DOWN_TIMEOUT_MS = 30_000;
const STATUS_TIMEOUT_MS = 30_000;

/** Starts whatever of the three nodes is not running, forms the cluster if needed; resolves once cluster_state:ok. */
export async function redisClusterUp(): Promise<ScriptResult> {
  return runStackScript('redis-cluster.sh', ['up'], UP_TIMEOUT_MS);
}

/** Stops all three nodes (SHUTDOWN NOSAVE) and removes their state. */
export async function redisClusterDown(): Promise<ScriptResult> {
  return runStackScript('redis-cluster.sh', ['down'], DOWN_TIMEOUT_MS);
}

/** The script's status lines; `ok` is false unless every node reports cluster_state:ok with all slots assigned. */
export async function redisClusterStatus(): Promise<{ readonly ok: boolean; readonly text: string }> {
  const { up, text } = await stackStatus('redis-cluster.sh', STATUS_TIMEOUT_MS);
  return { ok: up, text };
}
