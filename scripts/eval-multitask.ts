/**
 * `npm run eval:multitask -- --data <diginetica folder> [--seeds N]`: prequential AUC and log-loss of the
 * ranker's click and purchase heads, and purchase-HR@20 against popularity, on the raw views and
 * purchases. With `--seeds N` the run repeats with N random starts of the ranker's hidden units
 * (candidates.rankerSeed 0..N-1) and reports each and their mean, since one start is one draw.
 */
import { loadConfig } from '../src/config/load.ts';
import { describeError } from '../src/errors.ts';
import { rawDataCommand, writeJson } from './eval/raw-options.ts';
import { multitask, type MultitaskReport } from '../src/eval/multitask.ts';
import { loadDiginetica } from '../src/replay/diginetica.ts';

const opts = rawDataCommand()
  .option('--seeds <n>', 'random starts of the ranker to run (seeds 0..n-1)', '1')
  .parse()
  .opts<{ data: string; json?: string; seeds: string }>();

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

async function main(): Promise<void> {
  const seeds = Number(opts.seeds);
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 100) throw new Error(`--seeds must be an integer from 1 to 100, got ${opts.seeds}`);
  const loaded = await loadDiginetica({ dataDir: opts.data, sources: ['views', 'purchases'], limit: 0, shiftToNow: false, now: Date.now() });
  const reports: MultitaskReport[] = [];
  out(`${loaded.events.length.toLocaleString('en-US')} events (views and purchases, in time order)`);
  out('| ranker seed | head | events | item among candidates | prequential AUC | prequential log-loss | purchase-HR@20 engine / popularity |');
  out('|---|---|---|---|---|---|---|');
  for (let seed = 0; seed < seeds; seed += 1) {
    const started = Date.now();
    const report = multitask(loaded.events, loadConfig({ ...process.env, STREAMREC_CANDIDATES_EXCLUDE_CURRENT_ITEM: 'false', STREAMREC_CANDIDATES_RANKER_IMPRESSION_NEGATIVES: 'false', STREAMREC_CANDIDATES_RANKER_SEED: String(seed) }));
    reports.push(report);
    for (const head of ['click', 'purchase'] as const) {
      const f = report[head];
      const hr = head === 'purchase' ? `${report.purchaseHr20.engine} % / ${report.purchaseHr20.popularity} %` : '';
      out(`| ${seed} | ${head} | ${f.events.toLocaleString('en-US')} | ${f.assessed.toLocaleString('en-US')} | ${f.auc.toFixed(4)} | ${f.logLoss.toFixed(4)} | ${hr} |`);
    }
    process.stderr.write(`seed ${seed}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const summary = {
    seeds,
    clickAuc: mean(reports.map((r) => r.click.auc)),
    purchaseAuc: mean(reports.map((r) => r.purchase.auc)),
    purchaseAucRange: [Math.min(...reports.map((r) => r.purchase.auc)), Math.max(...reports.map((r) => r.purchase.auc))],
    purchaseHr20: mean(reports.map((r) => r.purchaseHr20.engine)),
    popularityHr20: reports[0]?.purchaseHr20.popularity ?? 0,
  };
  if (seeds > 1) {
    out(`mean over ${seeds} seeds: click AUC ${summary.clickAuc.toFixed(4)}, purchase AUC ${summary.purchaseAuc.toFixed(4)} (${summary.purchaseAucRange.map((v) => v.toFixed(4)).join(' to ')}), purchase-HR@20 ${summary.purchaseHr20.toFixed(2)} % (popularity ${summary.popularityHr20} %)`);
  }
  writeJson(opts.json, seeds === 1 ? (reports[0] ?? {}) : { summary, runs: reports });
}

main().catch((error: unknown) => {
  process.stderr.write(`eval:multitask failed: ${describeError(error)}\n`);
  process.exit(1);
});
