import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '..', '..', '..');
const PID_FILE = join(REPO, '.stack', 'pids', 'kafka.pid');

/** The local stack's Kafka broker pid (.stack/pids/kafka.pid), checked to be a live kafka.Kafka JVM. */
export function brokerPid(): number | null {
  if (!existsSync(PID_FILE)) return null;
  const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('kafka.Kafka') ? pid : null;
  } catch {
    return null;
  }
}

/** kill -9 the broker and wait until the process is gone; returns its pid. */
export async function killBroker(): Promise<number> {
  const pid = brokerPid();
  if (pid === null) throw new Error(`no running broker recorded in ${PID_FILE}: run "bash scripts/stack/stack.sh up"`);
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 200 && existsSync(`/proc/${pid}`); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  return pid;
}

/** `bash scripts/stack/stack.sh up`: starts the broker again (and anything else that is down). */
export function stackUp(): Promise<{ readonly code: number | null; readonly ms: number; readonly output: string }> {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn('bash', [join(REPO, 'scripts', 'stack', 'stack.sh'), 'up'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', (code) => resolve({ code, ms: Date.now() - start, output }));
  });
}

/** For afterAll: the broker is running again whatever happened in the test. */
export async function ensureBroker(): Promise<void> {
  if (brokerPid() !== null) return;
  const result = await stackUp();
  if (result.code !== 0) throw new Error(`stack.sh up failed (${result.code}):\n${result.output}`);
}
