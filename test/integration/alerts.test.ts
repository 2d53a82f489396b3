import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Runs promtool from the repository root; a missing binary fails with what to install, never skips. */
async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: REPO });
    return { code: 0, output: stdout + stderr };
  } catch (error: unknown) {
    const failure = error as { code?: unknown; stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') throw new Error('promtool not found on PATH: install Debian\'s prometheus package (apt-get install -y prometheus), which ships it');
    return { code: typeof failure.code === 'number' ? failure.code : -1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

describe('prometheus/alerts.yml', () => {
  it('passes promtool check rules', async () => {
    const result = await promtool('check', 'rules', 'prometheus/alerts.yml');
    expect(result.output).toContain('SUCCESS');
    expect(result.code, result.output).toBe(0);
  });

  it('passes its unit tests (promtool test rules prometheus/alerts.test.yml)', async () => {
    const result = await promtool('test', 'rules', 'prometheus/alerts.test.yml');
    expect(result.output).toContain('SUCCESS');
    expect(result.code, result.output).toBe(0);
  });
});
