import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';

/** `--data <dir>` (a Diginetica-layout folder) and `--json <file>`, the options every raw-log evaluation takes; add its own before parsing. */
export function rawDataCommand(): Command {
  return new Command()
    .option('--data <dir>', 'folder laid out like the Diginetica download (raw-cikm2016/)', join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'diginetica'))
    .option('--json <file>', 'write the figures as JSON');
}

/** The parsed options of a raw-log evaluation that takes no others. */
export function rawDataOptions(): { readonly data: string; readonly json?: string } {
  return rawDataCommand().parse().opts<{ data: string; json?: string }>();
}

/** Writes a report as indented JSON when `--json` was given. */
export function writeJson(file: string | undefined, report: object): void {
  if (file !== undefined) writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
