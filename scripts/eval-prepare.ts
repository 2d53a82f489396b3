/**
 * `npm run eval:prepare -- --views <file> --categories <file> --out <dir>`: turns raw CIKM 2016 views into
 * a folder in the SR-GNN protocol format that `npm run eval` reads, keeping the original item ids and
 * writing item_categories.csv.gz beside it, so the evaluation can report the intent-shift slice.
 * `--validation-of <dir>` instead holds out the last `--share` of an SR-GNN folder's training sessions
 * as test prefixes: the split defaults are chosen on, never the folder's own test prefixes.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { describeError } from '../src/errors.ts';
import { readRawViews, srgnnSplit, validationSplit, writeSplit } from '../src/eval/prepare.ts';
import { itemCategories, readTrainSessions } from '../src/eval/srgnn-data.ts';
import { loadCategories } from '../src/replay/categories.ts';

const raw = join(import.meta.dirname, '..', '..', 'shared', 'data', 'diginetica', 'raw-cikm2016');
const program = new Command()
  .description('Split raw CIKM 2016 views into an SR-GNN-format folder with item categories')
  .option('--views <file>', 'session_id;user_id;item_id;timeframe;eventdate file', join(raw, 'sample_train-item-views.csv.gz'))
  .option('--categories <file>', 'itemId;categoryId file', join(raw, 'product-categories.csv.gz'))
  .option('--out <dir>', 'folder to write', join('.cache', 'diginetica-sample-srgnn'))
  .option('--min-item-support <n>', 'drop items seen fewer times (SR-GNN: 5)', '5')
  .option('--test-days <n>', 'sessions of the last N days are the test set (SR-GNN: 7)', '7')
  .option('--validation-of <dir>', 'instead: a validation folder from this SR-GNN folder\'s training sessions')
  .option('--share <x>', 'with --validation-of: the last share of the training sessions held out', '0.05')
  .parse();
const opts = program.opts<{ views: string; categories: string; out: string; minItemSupport: string; testDays: string; validationOf?: string; share: string }>();

async function validation(dir: string): Promise<void> {
  const sessions: string[][] = [];
  for await (const session of readTrainSessions(dir)) sessions.push(session);
  const split = validationSplit(sessions, Number(opts.share));
  await writeSplit(opts.out, split, (await itemCategories(dir)) ?? new Map());
  process.stdout.write(`${opts.out}: ${split.train.length} training sessions, the last ${sessions.length - split.train.length} held out → ${split.testSessions} sessions, ${split.test.length} test prefixes\n`);
}

async function main(): Promise<void> {
  if (opts.validationOf !== undefined) return validation(opts.validationOf);
  const views = await readRawViews(opts.views);
  const split = srgnnSplit(views, { minItemSupport: Number(opts.minItemSupport), testDays: Number(opts.testDays) });
  await writeSplit(opts.out, split, await loadCategories(opts.categories));
  const s = split.stats;
  process.stdout.write(
    `${opts.out}: ${s.trainSessions} training sessions (${s.firstDay} … ${s.splitDay}), ${s.testSessions} test sessions after ${s.splitDay} → ${split.test.length} test prefixes, ${s.items} items\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`eval:prepare failed: ${describeError(error)}\n`);
  process.exit(1);
});
