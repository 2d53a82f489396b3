/**
 * `npm run eval:cross-sell -- --data <diginetica folder>`: HR@20 / MRR@20 of the next purchase after a
 * cart event (an earlier purchase of the session), with and without cross-sell, on the raw views and purchases.
 */
import { describeError } from '../src/errors.ts';
import { rawDataOptions, writeJson } from './eval/raw-options.ts';
import { crossSellEval } from '../src/eval/cross-sell.ts';
import { rawEvaluation } from '../src/eval/raw-events.ts';

const opts = rawDataOptions();

async function main(): Promise<void> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const { loaded, config } = await rawEvaluation(opts.data, process.env, (m) => out(`note: ${m}`));
  const started = Date.now();
  const report = crossSellEval(loaded.events, config);
  const seconds = (Date.now() - started) / 1000;
  out(`${loaded.events.length.toLocaleString('en-US')} events (views ${loaded.sources.views.file ?? 'none'}, purchases); ${seconds.toFixed(1)} s`);
  out('| purchases after a cart event | HR@20 with cross-sell | without | popularity | MRR@20 with | without |');
  out('|---|---|---|---|---|---|');
  const w = report.withCrossSell;
  const wo = report.withoutCrossSell;
  out(`| ${w.rows.toLocaleString('en-US')} | ${w.hr20} | ${wo.hr20} | ${report.popularity.hr20} | ${w.mrr20} | ${wo.mrr20} |`);
  out(`${report.boughtTogetherBefore.toLocaleString('en-US')} of them bought an item already bought together with a basket item in an earlier session (what cross-sell can know)`);
  writeJson(opts.json, { date: new Date().toISOString(), data: opts.data, views: loaded.sources.views.file, seconds, ...report });
}

main().catch((error: unknown) => {
  process.stderr.write(`eval:cross-sell failed: ${describeError(error)}\n`);
  process.exit(1);
});
