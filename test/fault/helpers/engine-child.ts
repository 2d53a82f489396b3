import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineProcess } from '../../../scripts/demo/engine-process.ts';
import { parsePrometheus, sum, type Sample } from '../../../src/adapters/metrics/prom-text.ts';
import type { FaultNamespace } from './namespace.ts';

export const LOG_DIR = join(import.meta.dirname, '..', '..', '..', '.stack', 'logs', 'fault');

/** How a child engine ended. */
export interface ChildExit {
  /** Exit code; null when a signal ended it (kill -9). */
  readonly code: number | null;
  /** From the signal (or kill) to the process being gone. */
  readonly ms: number;
}

/**
 * The engine as its own process (EngineProcess: `node --import tsx src/main.ts`), with what fault tests
 * need around it: its /metrics, its resident memory from /proc, kill -9 and SIGTERM with timings.
 */
export class EngineChild {
  readonly startedAt = Date.now();
  private readonly process: EngineProcess;
  private exitCode: number | null | undefined = undefined;

  constructor(
    readonly ns: FaultNamespace,
    readonly logFile: string,
    envOverrides: Readonly<Record<string, string>> = {},
  ) {
    this.process = new EngineProcess({ ...ns.env, ...envOverrides }, logFile);
    void this.process.exited.then((code) => (this.exitCode = code));
  }

  static start(ns: FaultNamespace, run: string, envOverrides: Readonly<Record<string, string>> = {}): EngineChild {
    return new EngineChild(ns, join(LOG_DIR, `${ns.name}-${run}.log`), envOverrides);
  }

  get pid(): number {
    const pid = this.process.pid;
    if (pid === undefined) throw new Error('engine process has no pid (spawn failed)');
    return pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Parsed /metrics, or null while the endpoint does not answer (starting, killed). */
  async scrape(): Promise<Sample[] | null> {
    try {
      const response = await fetch(this.ns.metricsUrl, { signal: AbortSignal.timeout(2000) });
      if (!response.ok) return null;
      return parsePrometheus(await response.text());
    } catch {
      return null;
    }
  }

  /** Sum of one metric over its series, or null while /metrics does not answer. */
  async metric(name: string): Promise<number | null> {
    const samples = await this.scrape();
    return samples === null ? null : sum(samples, name);
  }

  /** Resident set size from /proc (bytes), or null once the process is gone. */
  rssBytes(): number | null {
    if (!this.running) return null;
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      return match === null ? null : Number(match[1]) * 1024;
    } catch {
      return null;
    }
  }

  /** kill -9: no drain, no commit, no goodbye to the group. */
  async kill9(): Promise<ChildExit> {
    const t = Date.now();
    if (this.running) process.kill(this.pid, 'SIGKILL');
    const code = await this.process.exited;
    return { code, ms: Date.now() - t };
  }

  /** SIGTERM (main.ts drains, commits and exits); fails the test if it takes longer than `boundMs`. */
  async terminate(boundMs: number): Promise<ChildExit> {
    const t = Date.now();
    const timer = setTimeout(() => {
      if (this.running) process.kill(this.pid, 'SIGKILL');
    }, boundMs + 10_000);
    const code = await this.process.stop();
    clearTimeout(timer);
    return { code, ms: Date.now() - t };
  }

  /** For afterAll: gone, one way or another, without throwing. */
  async ensureStopped(): Promise<void> {
    if (!this.running) return;
    await this.terminate(15_000).catch(() => undefined);
  }

  /** The last lines of the engine's log, for failure messages. */
  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
