import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';

/** The shared Diginetica download next to the repository. */
export function defaultDataDir(): string {
  return join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'diginetica');
}

/** `--data <dir>` (a Diginetica-layout folder) and `--json <file>`, the options of the raw-log evaluations. */
export function rawDataOptions(): { readonly data: string; readonly json?: string } {
  return new Command()
    .option('--data <dir>', 'folder laid out like the Diginetica download (raw-cikm2016/)', defaultDataDir())
    .option('--json <file>', 'write the figures as JSON')
    .parse()
    .opts<{ data: string; json?: string }>();
}

/** Writes a report as indented JSON when `--json` was given. */
export function writeJson(file: string | undefined, report: object): void {
  if (file !== undefined) writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
