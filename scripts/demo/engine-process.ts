import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** The engine (or, with `entry` = src/api/main.ts, the Feed API) as its own process, as it runs in production. */
export class EngineProcess {
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(env: Readonly<Record<string, string>>, logFile: string, entry = 'src/main.ts') {
    mkdirSync(dirname(logFile), { recursive: true });
    const log = createWriteStream(logFile);
    this.child = spawn(process.execPath, ['--import', 'tsx', entry], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGKILL: the engine dies at once, as in a crash. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then the engine drains and exits; returns its exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}
