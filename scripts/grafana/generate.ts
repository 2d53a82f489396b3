/**
 * Writes grafana/dashboards/*.json from the typed boards (`npm run dashboards`). The JSON is committed
 * so Grafana's file provider can load it without Node; test/unit/grafana fails when it is stale.
 * `--check` writes nothing and exits 1 if a file differs from what would be written.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { render } from './dashboard.ts';
import { BOARDS, DASHBOARDS_DIR } from './boards.ts';

const check = process.argv.includes('--check');
let stale = 0;
for (const board of BOARDS) {
  const url = new URL(board.file, DASHBOARDS_DIR);
  const text = render(board.build());
  if (check) {
    let current = '';
    try {
      current = readFileSync(url, 'utf8');
    } catch {
      // A missing file is stale like a different one.
    }
    if (current !== text) {
      stale += 1;
      process.stderr.write(`stale: grafana/dashboards/${board.file} (run npm run dashboards)\n`);
    }
  } else {
    writeFileSync(url, text);
    process.stdout.write(`wrote grafana/dashboards/${board.file}\n`);
  }
}
if (stale > 0) process.exitCode = 1;
