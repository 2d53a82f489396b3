import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait-for.ts';
import { freePort } from './free-port.ts';

/** One series of an instant query's answer. */
export interface PromSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

export interface PrometheusServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Instant query at the current time; throws with Prometheus's error text when the query is invalid. */
  query(promql: string): Promise<PromSeries[]>;
  /** GET /api/v1/<path> and its `data` field, e.g. `rules`. */
  api(path: string): Promise<unknown>;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** Absolute paths of rule files to load, evaluated every second like the scrapes. */
  readonly ruleFiles?: readonly string[];
  readonly binary?: string;
}

const DEFAULT_BINARY = '/usr/bin/prometheus';
const LOG_TAIL_CHARS = 4000;

/**
 * Starts the Debian `prometheus` binary on a free 127.0.0.1 port, scraping `target` (host:port) every
 * second as job `streamrec`, with its TSDB in a temporary directory. Resolves once the server is ready
 * and the target has been scraped successfully. Never skips: a missing binary is an error saying what
 * to install.
 */
export async function startPrometheus(target: string, options: PrometheusOptions = {}): Promise<PrometheusServer> {
  const binary = options.binary ?? DEFAULT_BINARY;
  if (!existsSync(binary)) throw new Error(`${binary} not found: install Debian's prometheus package (apt-get install -y prometheus)`);
  const dir = await mkdtemp(join(tmpdir(), 'streamrec-prometheus-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  await writeFile(join(dir, 'prometheus.yml'), config(target, options.ruleFiles ?? []));

  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-LOG_TAIL_CHARS);
  };
  const child = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const state: { exited: string | null } = { exited: null };
  child.once('exit', (code, signal) => {
    state.exited = `exited with ${code ?? signal}`;
  });

  const stop = async (): Promise<void> => {
    await kill(child);
    await rm(dir, { recursive: true, force: true });
  };

  const failure = (what: string, error: unknown): Error =>
    new Error(`prometheus ${state.exited ?? 'running'}: ${what}: ${String(error)}\n--- prometheus log ---\n${log}`);
  const api = async (path: string): Promise<unknown> => {
    const response = await fetch(`${url}/api/v1/${path}`);
    const body = (await response.json()) as { status: string; data?: unknown; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus /api/v1/${path}: ${body.error ?? response.statusText}`);
    return body.data;
  };
  const query = async (promql: string): Promise<PromSeries[]> => {
    const data = (await api(`query?query=${encodeURIComponent(promql)}`)) as { resultType: string; result: unknown };
    if (data.resultType === 'vector') return data.result as PromSeries[];
    if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
    throw new Error(`prometheus query ${promql}: unexpected ${data.resultType} result`);
  };

  try {
    // The probe gives up at once when the process has exited (bad flag, port taken).
    const ready = await waitFor(
      async () => (state.exited === null ? ((await fetch(`${url}/-/ready`).catch(() => null))?.status ?? 0) : -1),
      (status) => status === 200 || status === -1,
      { timeoutMs: 30_000, what: 'prometheus /-/ready' },
    );
    if (ready === -1) throw new Error('did not start');
    await waitFor(
      () => query('up{job="streamrec"}').catch((): PromSeries[] => []),
      (series) => series.some((s) => s.value[1] === '1'),
      { timeoutMs: 30_000, what: `a successful scrape of ${target}` },
    );
  } catch (error: unknown) {
    const wrapped = failure('starting', error);
    await stop();
    throw wrapped;
  }
  return { url, query, api, stop };
}

function config(target: string, ruleFiles: readonly string[]): string {
  // JSON is valid YAML, and quoting every string through JSON.stringify keeps paths safe.
  return JSON.stringify(
    {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: ruleFiles,
      scrape_configs: [{ job_name: 'streamrec', static_configs: [{ targets: [target] }] }],
    },
    null,
    2,
  );
}


/** SIGTERM, then SIGKILL if it has not exited after 10 s (Prometheus flushes its head block on TERM). */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
