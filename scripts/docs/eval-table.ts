/**
 * Prints README's quality table from `npm run eval -- --json` reports:
 * `npx tsx scripts/docs/eval-table.ts <report.json> [<report-with-model.json>]`.
 */
import { readFileSync } from 'node:fs';
import type { EvalReport } from '../../src/eval/run.ts';

const PUBLISHED: readonly [string, number, number][] = [
  ['GRU4Rec (published)', 29.45, 8.33],
  ['Item-KNN (published)', 35.75, 11.57],
  ['NARM (published)', 49.7, 16.17],
  ['SR-GNN (published)', 50.73, 17.59],
  ['GCE-GNN (published)', 54.22, 19.04],
  ['SGNN-HN (published)', 55.67, 19.45],
];

const fmt = (n: number): string => n.toFixed(2);
const [plainPath, modelPath] = process.argv.slice(2);
if (plainPath === undefined) throw new Error('usage: eval-table.ts <report.json> [<report-with-model.json>]');
const plain = JSON.parse(readFileSync(plainPath, 'utf8')) as EvalReport;
const model = modelPath === undefined ? null : (JSON.parse(readFileSync(modelPath, 'utf8')) as EvalReport);
const rows: string[] = ['| recommender | HR@20 | MRR@20 | HR@10 | NDCG@10 | coverage@20 | predictions/s |', '|---|---|---|---|---|---|---|'];
const row = (name: string, m: EvalReport['metrics'][string]): string =>
  `| ${name} | ${fmt(m.hr20)} | ${fmt(m.mrr20)} | ${fmt(m.hr10)} | ${fmt(m.ndcg10)} | ${m.coverage20.toFixed(1)} | ${m.predictionsPerSecond.toLocaleString('en-US')} |`;
const engineModel = model?.metrics['engine'];
if (engineModel !== undefined) rows.push(row(`**streamrec engine + embedding model** (${model?.model?.backend ?? '?'})`, engineModel));
const engine = plain.metrics['engine'];
if (engine !== undefined) rows.push(row('**streamrec engine**', engine));
for (const [name, m] of Object.entries(plain.metrics)) if (name !== 'engine') rows.push(row(`${name} (same harness)`, m));
for (const [name, hr, mrr] of PUBLISHED) rows.push(`| ${name} | ${fmt(hr)} | ${fmt(mrr)} | | | | |`);
process.stdout.write(`${rows.join('\n')}\n`);
const learning = (r: EvalReport): string =>
  `${r.train.events.toLocaleString('en-US')} events in ${r.train.seconds} s (${r.train.eventsPerSecond.toLocaleString('en-US')} events/s through the pipeline)`;
process.stdout.write(`\nOne online pass: ${learning(plain)}${model === null ? '' : `; with the model ${learning(model)}`}. `);
process.stdout.write(`Stability: median Jaccard ${plain.slices.stability.medianJaccard} of consecutive top-20 lists (${plain.slices.stability.pairs.toLocaleString('en-US')} pairs). `);
process.stdout.write(plain.slices.intentShift === null ? 'Intent-shift slice: not available for this data (no item categories).\n' : `Intent shift: HR@20 ${plain.slices.intentShift.hr20}.\n`);
