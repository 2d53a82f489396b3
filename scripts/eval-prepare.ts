/**
 * `npm run eval:prepare -- --views <file> --categories <file> --out <dir>`: turns raw CIKM 2016 views into
 * a folder in the SR-GNN protocol format that `npm run eval` reads, keeping the original item ids and
 * writing item_categories.csv.gz beside it, so the evaluation can report the intent-shift slice.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { describeError } from '../src/errors.ts';
import { readRawViews, srgnnSplit, writeSplit } from '../src/eval/prepare.ts';
import { loadCategories } from '../src/replay/categories.ts';

const raw = join(import.meta.dirname, '..', '..', 'shared', 'data', 'diginetica', 'raw-cikm2016');
const program = new Command()
  .description('Split raw CIKM 2016 views into an SR-GNN-format folder with item categories')
  .option('--views <file>', 'session_id;user_id;item_id;timeframe;eventdate file', join(raw, 'sample_train-item-views.csv.gz'))
  .option('--categories <file>', 'itemId;categoryId file', join(raw, 'product-categories.csv.gz'))
  .option('--out <dir>', 'folder to write', join('.cache', 'diginetica-sample-srgnn'))
  .option('--min-item-support <n>', 'drop items seen fewer times (SR-GNN: 5)', '5')
  .option('--test-days <n>', 'sessions of the last N days are the test set (SR-GNN: 7)', '7')
  .parse();
const opts = program.opts<{ views: string; categories: string; out: string; minItemSupport: string; testDays: string }>();

async function main(): Promise<void> {
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
