import { execFile } from 'node:child_process';
import { join } from 'node:path';

/**
 * The three-master Redis Cluster (no replicas, no persistence) of scripts/stack/redis-cluster.sh, for tests
 * of the cluster-mode Redis client. Separate from the standalone Redis on 6379; `down` removes its state,
 * so every `up` after a `down` forms a fresh, empty cluster.
 */

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'stack', 'redis-cluster.sh');

/** Seed addresses (host:port) of node 1..3; any of them is a valid seed for a cluster client. */
export const redisClusterNodes: readonly string[] = ['127.0.0.1:39381', '127.0.0.1:39382', '127.0.0.1:39383'];

export interface ScriptResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** A cold start takes ~3-10 s (cluster creation plus Redis's rejoin delay); the script itself waits up to 60 s. */
const UP_TIMEOUT_MS = 120_000;
const DOWN_TIMEOUT_MS = 30_000;
const STATUS_TIMEOUT_MS = 30_000;

/** A failed script run; the message ends with the tail of the script's stderr (node log tails on failure). */
export class RedisClusterScriptError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RedisClusterScriptError';
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function runScript(args: readonly string[], timeoutMs: number): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [SCRIPT, ...args],
      { timeout: timeoutMs, killSignal: 'SIGTERM', maxBuffer: 16 * 1024 * 1024, env: process.env },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr });
          return;
        }
        const exitCode = typeof error.code === 'number' ? error.code : null;
        const how = error.killed ? `timed out after ${timeoutMs} ms` : `exited with ${String(error.code ?? error.signal)}`;
        const message = `redis-cluster.sh ${args.join(' ')} ${how}\n${tail(stderr, 60)}`;
        reject(new RedisClusterScriptError(message, exitCode, stdout, stderr, { cause: error }));
      },
    );
  });
}

/** Starts whatever of the three nodes is not running, forms the cluster if needed; resolves once cluster_state:ok. */
export async function redisClusterUp(): Promise<ScriptResult> {
  return runScript(['up'], UP_TIMEOUT_MS);
}

/** Stops all three nodes (SHUTDOWN NOSAVE) and removes their state. */
export async function redisClusterDown(): Promise<ScriptResult> {
  return runScript(['down'], DOWN_TIMEOUT_MS);
}

/** The script's status lines; `ok` is false unless every node reports cluster_state:ok with all slots assigned. */
export async function redisClusterStatus(): Promise<{ readonly ok: boolean; readonly text: string }> {
  try {
    const { stdout } = await runScript(['status'], STATUS_TIMEOUT_MS);
    return { ok: true, text: stdout };
  } catch (error: unknown) {
    if (error instanceof RedisClusterScriptError && error.exitCode === 3) return { ok: false, text: error.stdout };
    throw error;
  }
}
