/**
 * `npm run eval -- --data <dir> [--json <file>]`: next-item accuracy of the engine, learning online in
 * one pass through the production pipeline, against baselines computed by the same harness.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import { evalConfig } from '../src/eval/config.ts';
import { describeError } from '../src/errors.ts';
import { runEval } from '../src/eval/run.ts';
import { countTrainSessions } from '../src/eval/srgnn-data.ts';

const program = new Command()
  .description('Evaluate next-item recommendations on a folder in the SR-GNN protocol format')
  .option('--data <dir>', 'folder with train_sessions.txt(.gz) and test_prefixes.tsv(.gz)', join(import.meta.dirname, '..', '..', 'shared', 'data', 'diginetica', 'srgnn-protocol'))
  .option('--json <file>', 'write the figures as JSON')
  .option('--model', 'also train the online embedding model (nearest-item candidates and a ranker feature)', false)
  .option('--impression-negatives', 'learn from the lists the replay "shows" as if shoppers had seen them (off: in a replayed log nobody saw them)', false)
  .option('--exclude-current', 'leave the current item out of its list, as the storefront does (published protocols keep it)', false)
  .option('--no-content', 'leave the catalogue (item_categories.csv beside the sessions) out of the content candidates')
  .option('--explore', 'keep candidates.exploreShare of each list for new items, as the storefront does (off: in a replayed log no shopper could take an item shown in an exploration place)', false)
  .parse();
const opts = program.opts<{ data: string; json?: string; excludeCurrent: boolean; model: boolean; impressionNegatives: boolean; explore: boolean; content: boolean }>();

async function main(): Promise<void> {
  const totalSessions = await countTrainSessions(opts.data);
  const config = evalConfig(process.env, opts);
  const tty = process.stderr.isTTY === true;
  const bar = new SingleBar({ format: '{phase} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left', stream: process.stderr }, Presets.shades_classic);
  let phase = '';
  const progress = (name: string, done: number, total: number): void => {
    if (tty) {
      if (phase !== name) {
        if (phase !== '') bar.stop();
        bar.start(total, done, { phase: name });
        phase = name;
      }
      bar.setTotal(total);
      bar.update(done, { phase: name });
    } else if (done % 20000 < 2000 || done === total) {
      process.stderr.write(`${name}: ${done}/${total}\n`);
    }
  };
  const started = Date.now();
  const report = await runEval({
    dataDir: opts.data,
    config,
    onTrain: (sessions) => progress('learning (sessions)', sessions, Math.max(sessions, totalSessions)),
    onScore: (done, total) => progress('scoring (prefixes)', done, total),
  });
  if (tty) bar.stop();
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  out(`\ndata: ${report.dataDir}`);
  out(`learned online from ${report.train.sessions.toLocaleString('en-US')} sessions / ${report.train.events.toLocaleString('en-US')} events in ${report.train.seconds} s (${report.train.eventsPerSecond.toLocaleString('en-US')} events/s through the pipeline; ${report.train.rankerUpdates.toLocaleString('en-US')} ranker updates)`);
  out(
    report.model === null
      ? 'online embedding model: off (--model to train it)'
      : `online embedding model: ${report.model.version} on ${report.model.backend} (trained ${report.model.training === 'worker' ? 'on a worker thread' : 'inline'}), ${report.model.items.toLocaleString('en-US')} items, ${(report.model.bytes / 2 ** 20).toFixed(1)} MiB, ${report.model.rolledBack} rolled back, ${report.model.skippedNonFinite} non-finite skipped`,
  );
  out(`scored ${report.test.prefixes.toLocaleString('en-US')} test prefixes over ${report.test.catalogue.toLocaleString('en-US')} items${opts.excludeCurrent ? ' (current item excluded)' : ''}\n`);
  out('| recommender | HR@20 | MRR@20 | HR@10 | NDCG@10 | coverage@20 | predictions/s |');
  out('|---|---|---|---|---|---|---|');
  for (const [name, m] of Object.entries(report.metrics)) {
    out(`| ${name} | ${m.hr20.toFixed(2)} | ${m.mrr20.toFixed(2)} | ${m.hr10.toFixed(2)} | ${m.ndcg10.toFixed(2)} | ${m.coverage20.toFixed(1)} | ${m.predictionsPerSecond.toLocaleString('en-US')} |`);
  }
  const { intentShift, stability, coldStart, longTail } = report.slices;
  out('');
  out(intentShift === null ? 'intent shift: n/a (no item categories)' : `intent shift: ${intentShift.rows} prefixes, HR@20 ${intentShift.hr20}, ${intentShift.newCategoryShare}% of the top 20 in the new category`);
  out(`stability: median Jaccard ${stability.medianJaccard} of consecutive top-20 lists over ${stability.pairs.toLocaleString('en-US')} pairs${stability.sameCategoryOnly ? ' (same-category steps)' : ' (all steps)'}`);
  const coldLine = Object.entries(coldStart.hr20).map(([name, hr]) => `${name} ${hr.toFixed(2)}`).join(', ');
  out(`cold start (prefixes of 1–2 events, ${coldStart.rows.toLocaleString('en-US')} rows): HR@20 ${coldLine}; engine ${coldStart.engineToPopularity ?? 'n/a'}× popularity`);
  const tailLine = Object.entries(longTail.hr20).map(([name, hr]) => `${name} ${hr.toFixed(2)}`).join(', ');
  out(`long tail (targets with fewer than 5 training events, ${longTail.rows.toLocaleString('en-US')} rows): HR@20 ${tailLine}`);
  for (const note of report.notes) out(`note: ${note}`);
  out(`ranker weights (click head): ${report.rankerWeights.map(([name, w]) => `${name} ${w}`).join(', ')}`);
  out(`wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (opts.json !== undefined) writeFileSync(opts.json, `${JSON.stringify({ ...report, excludeCurrent: opts.excludeCurrent, wallSeconds: (Date.now() - started) / 1000 }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`eval failed: ${describeError(error)}\n`);
  process.exit(1);
});
