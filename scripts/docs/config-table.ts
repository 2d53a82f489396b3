/** Prints README's configuration table from the config schema (`npx tsx scripts/docs/config-table.ts`). */
import { listSettings } from '../../src/config/load.ts';

export function configTable(): string {
  const rows = listSettings().map((s) => {
    const value = JSON.stringify(s.defaultValue) ?? '';
    return `| \`${s.env}\` | \`${s.path}\` | ${s.type} | \`${value.replaceAll('|', '\\|')}\` | ${s.description.replaceAll('|', '\\|')} |`;
  });
  return ['| environment variable | config file key | type | default | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${configTable()}\n`);
