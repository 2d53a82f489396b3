/** `npm run docs`: rewrites README's configuration and metrics tables from the code. */
import { readFileSync, writeFileSync } from 'node:fs';
import { configTable } from './config-table.ts';
import { metricsTable } from './metrics-table.ts';

const path = new URL('../../README.md', import.meta.url);
let readme = readFileSync(path, 'utf8');
const replaceTable = (header: string, table: string): void => {
  const start = readme.indexOf(header);
  if (start < 0) throw new Error(`README has no table starting with "${header}"`);
  let end = readme.indexOf('\n\n', start);
  if (end < 0) end = readme.length;
  readme = readme.slice(0, start) + table + readme.slice(end);
};
replaceTable('| environment variable | config file key |', configTable());
replaceTable('| metric | type | labels | meaning |', await metricsTable());
writeFileSync(path, readme);
