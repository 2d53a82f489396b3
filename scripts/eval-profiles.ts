/**
 * `npm run eval:profiles -- --data <diginetica folder>`: HR@20 / MRR@20 of the first two items of
 * returning users' sessions, with and without shopper profiles, on the raw views and purchases.
 */
import { describeError } from '../src/errors.ts';
import { rawDataOptions, writeJson } from './eval/raw-options.ts';
import { profileEval, type ProfileArmFigures } from '../src/eval/profiles.ts';
import { rawEvaluation } from '../src/eval/raw-events.ts';

const opts = rawDataOptions();

async function main(): Promise<void> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const { loaded, config } = await rawEvaluation(opts.data, process.env, (m) => out(`note: ${m}`));
  const started = Date.now();
  const report = profileEval(loaded.events, config);
  const seconds = (Date.now() - started) / 1000;
  out(`${loaded.events.length.toLocaleString('en-US')} events (views ${loaded.sources.views.file ?? 'none'}, purchases), ${report.users.toLocaleString('en-US')} known users, ${report.returningUsers.toLocaleString('en-US')} returning, ${report.returningSessions.toLocaleString('en-US')} returning sessions; ${seconds.toFixed(1)} s`);
  out('| returning users’ sessions | steps | HR@20 with profile | without | popularity | MRR@20 with | without |');
  out('|---|---|---|---|---|---|---|');
  const row = (name: string, pick: (f: ProfileArmFigures) => { rows: number; hr20: number; mrr20: number }): void => {
    const w = pick(report.withProfile);
    const wo = pick(report.withoutProfile);
    out(`| ${name} | ${w.rows.toLocaleString('en-US')} | ${w.hr20} | ${wo.hr20} | ${pick(report.popularity).hr20} | ${w.mrr20} | ${wo.mrr20} |`);
  };
  row('first item', (f) => f.first);
  row('second item', (f) => f.second);
  row('first two', (f) => f.both);
  writeJson(opts.json, { date: new Date().toISOString(), data: opts.data, views: loaded.sources.views.file, seconds, ...report });
}

main().catch((error: unknown) => {
  process.stderr.write(`eval:profiles failed: ${describeError(error)}\n`);
  process.exit(1);
});
