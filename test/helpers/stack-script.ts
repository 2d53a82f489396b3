import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface ScriptResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** A failed run of a scripts/stack script; the message ends with the tail of its stderr (its log tails on failure). */
export class StackScriptError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StackScriptError';
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs `scripts/stack/<script> args…` with bash; rejects with a StackScriptError on a non-zero exit or after `timeoutMs`. */
export function runStackScript(script: string, args: readonly string[], timeoutMs: number): Promise<ScriptResult> {
  const path = join(import.meta.dirname, '..', '..', 'scripts', 'stack', script);
  return new Promise((resolve, reject) => {
    execFile('bash', [path, ...args], { timeout: timeoutMs, killSignal: 'SIGTERM', maxBuffer: 16 * 1024 * 1024, env: process.env }, (error, stdout, stderr) => {
      if (error === null) {
        resolve({ stdout, stderr });
        return;
      }
      const exitCode = typeof error.code === 'number' ? error.code : null;
      const how = error.killed ? `timed out after ${timeoutMs} ms` : `exited with ${String(error.code ?? error.signal)}`;
      reject(new StackScriptError(`${script} ${args.join(' ')} ${how}\n${tail(stderr, 60)}`, exitCode, stdout, stderr, { cause: error }));
    });
  });
}

/** `status` of a cluster script: exit 0 is up, exit 3 is not (its lines say which node), anything else throws. */
export async function stackStatus(script: string, timeoutMs: number): Promise<{ readonly up: boolean; readonly text: string }> {
  try {
    const { stdout } = await runStackScript(script, ['status'], timeoutMs);
    return { up: true, text: stdout };
  } catch (error: unknown) {
    if (error instanceof StackScriptError && error.exitCode === 3) return { up: false, text: error.stdout };
    throw error;
  }
}
