import { execFile } from 'node:child_process';
import { join } from 'node:path';

/**
 * The three-broker KRaft cluster of scripts/stack/kafka-cluster.sh (replication factor 3,
 * min.insync.replicas 2) for fault tests: kill one broker mid-stream, restart it.
 * Separate from the single broker of scripts/stack/stack.sh on 39092.
 */

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'stack', 'kafka-cluster.sh');

/** Node n (1..3) listens on clusterBrokers[n - 1]. */
export const clusterBrokers: readonly string[] = ['127.0.0.1:39192', '127.0.0.1:39193', '127.0.0.1:39194'];

export type BrokerNumber = 1 | 2 | 3;

export interface ScriptResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Cold start of three JVMs on two cores takes ~25 s, a node restart ~8 s; the script itself waits up to 120 s. */
const UP_TIMEOUT_MS = 240_000;
const NODE_TIMEOUT_MS = 180_000;
const DOWN_TIMEOUT_MS = 90_000;

/** A failed script run; the message ends with the tail of the script's stderr (its log tails on failure). */
export class KafkaClusterScriptError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'KafkaClusterScriptError';
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
        const message = `kafka-cluster.sh ${args.join(' ')} ${how}\n${tail(stderr, 60)}`;
        reject(new KafkaClusterScriptError(message, exitCode, stdout, stderr, { cause: error }));
      },
    );
  });
}

function checkBroker(n: number): asserts n is BrokerNumber {
  if (n !== 1 && n !== 2 && n !== 3) throw new Error(`broker number must be 1, 2 or 3 (got ${n})`);
}

/** Starts whatever of the three nodes is not running; resolves once the cluster shows 3 ready brokers. */
export async function clusterUp(): Promise<ScriptResult> {
  return runScript(['up'], UP_TIMEOUT_MS);
}

/** Stops all three nodes (data is kept). */
export async function clusterDown(): Promise<ScriptResult> {
  return runScript(['down'], DOWN_TIMEOUT_MS);
}

/** SIGKILLs broker n (1..3); resolves once its JVM is gone. */
export async function killBroker(n: BrokerNumber): Promise<ScriptResult> {
  checkBroker(n);
  return runScript(['kill', String(n)], NODE_TIMEOUT_MS);
}

/** Restarts broker n on its existing data; resolves once it answers and the cluster shows 3 brokers again. */
export async function startBroker(n: BrokerNumber): Promise<ScriptResult> {
  checkBroker(n);
  return runScript(['start', String(n)], NODE_TIMEOUT_MS);
}

/** The script's status lines; `allUp` is false unless all three nodes answer metadata. */
export async function clusterStatus(): Promise<{ readonly allUp: boolean; readonly text: string }> {
  try {
    const { stdout } = await runScript(['status'], NODE_TIMEOUT_MS);
    return { allUp: true, text: stdout };
  } catch (error: unknown) {
    if (error instanceof KafkaClusterScriptError && error.exitCode === 3) return { allUp: false, text: error.stdout };
    throw error;
  }
}
