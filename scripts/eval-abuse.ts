/**
 * `npm run eval:abuse -- --data <dir>`: the evaluation of `npm run eval`, run twice on the same folder:
 * clean, then with click bots injected into the training stream. Reports the HR@20 / MRR@20 of both,
 * the share of bot events the engine flagged, the share of clean sessions it flagged, and the target's
 * best place in the trending top 10 after any micro-batch.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describeError } from '../src/errors.ts';
import { AbuseWatch, type Attack } from '../src/eval/bots.ts';
import { evalConfig } from '../src/eval/config.ts';
import { runEval } from '../src/eval/run.ts';
import { countTrainSessions } from '../src/eval/srgnn-data.ts';

const program = new Command()
  .option('--data <dir>', 'folder with train_sessions.txt(.gz) and test_prefixes.tsv(.gz)', join(import.meta.dirname, '..', '..', 'shared', 'data', 'diginetica', 'srgnn-protocol'))
  .option('--json <file>', 'write the figures as JSON')
  .option('--bots <n>', 'bot sessions', (v) => Number.parseInt(v, 10), 20)
  .option('--clicks <n>', 'clicks per bot, all on one target item', (v) => Number.parseInt(v, 10), 1000)
  .option('--window-ms <ms>', 'event time each bot makes its clicks in', (v) => Number.parseInt(v, 10), 60_000)
  .option('--at <share>', 'share of the training sessions replayed before the attack', (v) => Number.parseFloat(v), 0.5)
  .parse();
const opts = program.opts<{ data: string; json?: string; bots: number; clicks: number; windowMs: number; at: number }>();

async function main(): Promise<void> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const config = evalConfig(process.env, { excludeCurrent: false, impressionNegatives: false, explore: false, content: true, model: false });
  const totalSessions = await countTrainSessions(opts.data);
  const started = Date.now();
  const attack: Attack = { bots: opts.bots, clicksPerBot: opts.clicks, windowMs: opts.windowMs, at: opts.at };
  out('clean run…');
  const cleanWatch = new AbuseWatch({ ...attack, bots: 0 });
  const clean = await runEval({ dataDir: opts.data, config, attack: { attack: { ...attack, bots: 0 }, watch: cleanWatch, totalSessions } });
  const natural = cleanWatch.report();
  out(`attacked run (${attack.bots} bots × ${attack.clicksPerBot} clicks within ${attack.windowMs / 1000} s, after ${attack.at * 100} % of the training sessions)…`);
  const watch = new AbuseWatch(attack);
  const attacked = await runEval({ dataDir: opts.data, config, attack: { attack, watch, totalSessions } });
  const abuse = watch.report();
  const c = clean.metrics['engine'];
  const a = attacked.metrics['engine'];
  out('| run | HR@20 | MRR@20 | HR@10 | NDCG@10 |');
  out('|---|---|---|---|---|');
  for (const [name, m] of [['clean', c], ['attacked', a]] as const) out(`| ${name} | ${m?.hr20.toFixed(2)} | ${m?.mrr20.toFixed(2)} | ${m?.hr10.toFixed(2)} | ${m?.ndcg10.toFixed(2)} |`);
  out(`HR@20 attacked − clean: ${((a?.hr20 ?? 0) - (c?.hr20 ?? 0)).toFixed(2)} points`);
  const places = (r: typeof abuse): string => {
    const inCategory = r.category === null ? 'no category in this data set' : `its category's top 10 after ${r.targetCategoryTop10Batches} (best place ${r.targetBestCategoryRank ?? '–'})`;
    return `global trending top 10 after ${r.targetTop10Batches} of ${r.batchesWatched} micro-batches (best place ${r.targetBestTrendingRank ?? '–'}), ${inCategory}`;
  };
  out(`target ${abuse.target}, attacked: ${places(abuse)}`);
  out(`target ${natural.target}, clean:    ${places(natural)}`);
  out(`bot events flagged: ${abuse.botEventsFlagged.toLocaleString('en-US')} of ${abuse.botEvents.toLocaleString('en-US')} (${abuse.botFlaggedShare} %)`);
  out(`clean sessions flagged: ${abuse.cleanSessionsFlagged.toLocaleString('en-US')} of ${abuse.cleanSessions.toLocaleString('en-US')} (${abuse.cleanFlaggedShare} %)`);
  out(`wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (opts.json !== undefined) writeFileSync(opts.json, `${JSON.stringify({ date: new Date().toISOString(), data: opts.data, clean: clean.metrics, attacked: attacked.metrics, abuse, natural, wallSeconds: (Date.now() - started) / 1000 }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`eval:abuse failed: ${describeError(error)}\n`);
  process.exit(1);
});
