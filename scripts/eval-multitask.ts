/**
 * `npm run eval:multitask -- --data <diginetica folder>`: prequential AUC and log-loss of the ranker's
 * click and purchase heads, and purchase-HR@20 against popularity, on the raw views and purchases.
 */
import { loadConfig } from '../src/config/load.ts';
import { describeError } from '../src/errors.ts';
import { rawDataOptions, writeJson } from './eval/raw-options.ts';
import { multitask } from '../src/eval/multitask.ts';
import { loadDiginetica } from '../src/replay/diginetica.ts';

const opts = rawDataOptions();

async function main(): Promise<void> {
  const loaded = await loadDiginetica({ dataDir: opts.data, sources: ['views', 'purchases'], limit: 0, shiftToNow: false, now: Date.now() });
  const started = Date.now();
  const report = multitask(loaded.events, loadConfig({ ...process.env, STREAMREC_CANDIDATES_EXCLUDE_CURRENT_ITEM: 'false', STREAMREC_CANDIDATES_RANKER_IMPRESSION_NEGATIVES: 'false' }));
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  out(`${loaded.events.length.toLocaleString('en-US')} events (views and purchases, in time order), ${((Date.now() - started) / 1000).toFixed(1)} s`);
  out('| head | events | item among candidates | prequential AUC | prequential log-loss |');
  out('|---|---|---|---|---|');
  for (const head of ['click', 'purchase'] as const) {
    const f = report[head];
    out(`| ${head} | ${f.events.toLocaleString('en-US')} | ${f.assessed.toLocaleString('en-US')} | ${f.auc.toFixed(4)} | ${f.logLoss.toFixed(4)} |`);
  }
  out(`purchase-HR@20 over ${report.purchaseHr20.purchases.toLocaleString('en-US')} purchases: engine ${report.purchaseHr20.engine} %, popularity ${report.purchaseHr20.popularity} %`);
  writeJson(opts.json, report);
}

main().catch((error: unknown) => {
  process.stderr.write(`eval:multitask failed: ${describeError(error)}\n`);
  process.exit(1);
});
