/**
 * `npm run eval:cf`: the rating model (CF with biases) on a synthetic rating stream with planted user
 * and item biases: how close the learned biases come, and prequential RMSE against the bias-only model
 * and the running mean. Our data sets have no explicit ratings, hence the planted stream.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadConfig } from '../src/config/load.ts';
import { describeError } from '../src/errors.ts';
import { cfEval, plantedRatings } from '../src/eval/ratings.ts';

const int = (v: string): number => Number.parseInt(v, 10);
const program = new Command()
  .option('--users <n>', 'users', int, 300)
  .option('--items <n>', 'items', int, 300)
  .option('--ratings-per-user <n>', 'ratings each user makes (distinct items)', int, 300)
  .option('--rank <n>', 'rank of the planted interaction term', int, 4)
  .option('--seed <n>', 'random seed', int, 1)
  .option('--json <file>', 'write the figures as JSON')
  .parse();
const opts = program.opts<{ users: number; items: number; ratingsPerUser: number; rank: number; seed: number; json?: string }>();

function main(): void {
  const c = loadConfig(process.env).candidates;
  const planted = plantedRatings({ users: opts.users, items: opts.items, ratingsPerUser: opts.ratingsPerUser, dim: opts.rank, seed: opts.seed });
  const started = Date.now();
  const report = cfEval(planted, { dim: c.cfDim, learningRate: c.cfLearningRate, factorLearningRate: c.cfFactorLearningRate, regularization: c.cfRegularization, maxUsers: c.cfMaxUsers, maxItems: c.cfMaxItems });
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  out(`${report.ratings.toLocaleString('en-US')} ratings (${opts.users} users × ${opts.ratingsPerUser}, ${opts.items} items, planted rank ${opts.rank}), one pass, ${((Date.now() - started) / 1000).toFixed(1)} s; model dim ${c.cfDim}`);
  out('| prequential RMSE | CF with biases | bias only | running mean |');
  out('|---|---|---|---|');
  out(`| | ${report.rmse.cf} | ${report.rmse.biasOnly} | ${report.rmse.mean} |`);
  out('| learned − planted bias | mean | p95 | max | within ±0.1 |');
  out('|---|---|---|---|---|');
  for (const [name, e] of [['users', report.userBias], ['items', report.itemBias]] as const) out(`| ${name} | ${e.mean} | ${e.p95} | ${e.max} | ${e.within01} % |`);
  if (opts.json !== undefined) writeFileSync(opts.json, `${JSON.stringify({ date: new Date().toISOString(), options: opts, ...report }, null, 2)}\n`);
}

try {
  main();
} catch (error: unknown) {
  process.stderr.write(`eval:cf failed: ${describeError(error)}\n`);
  process.exit(1);
}
