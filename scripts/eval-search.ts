/**
 * `npm run eval:search -- [--data <dir>] [--json <file>]`: search intent on real search logs. Every
 * `.csv(.gz)` log in the folder (Best Buy search→click or trivago sessions) is replayed through the
 * pipeline with and without `candidates.queryIntent`; clicks made after a search are scored.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../src/config/load.ts';
import { describeError } from '../src/errors.ts';
import { evaluateSearchIntent, type ClickScore, type SearchEvalResult } from '../src/eval/search-intent.ts';
import { findSearchLogs, readSearchLog } from '../src/eval/search-logs.ts';

const program = new Command()
  .description('Evaluate search intent on search logs (Best Buy search→click, trivago sessions)')
  .option('--data <dir>', 'folder with the logs (searched one level deep)', join(import.meta.dirname, '..', '..', 'shared', 'data', 'search'))
  .option('--json <file>', 'write the figures as JSON')
  .parse();
const opts = program.opts<{ data: string; json?: string }>();

const cell = (s: ClickScore): string => `${s.hr20.toFixed(2)} / ${s.mrr20.toFixed(2)}`;
const ratio = (a: ClickScore, b: ClickScore): string => (b.hr20 > 0 ? `${(a.hr20 / b.hr20).toFixed(2)}×` : 'n/a');

async function main(): Promise<void> {
  const paths = findSearchLogs(opts.data);
  if (paths.length === 0) throw new Error(`no .csv(.gz) search logs in ${opts.data}`);
  const results: SearchEvalResult[] = [];
  for (const path of paths) {
    const log = await readSearchLog(path);
    process.stderr.write(`${log.format}: ${log.events.length.toLocaleString('en-US')} events from ${path}\n`);
    const config = (intent: boolean) =>
      loadConfig({ ...process.env, STREAMREC_CANDIDATES_QUERY_INTENT: String(intent), STREAMREC_CANDIDATES_RANKER_IMPRESSION_NEGATIVES: 'false', STREAMREC_LOG_LEVEL: 'warn' });
    results.push(await evaluateSearchIntent(log, config));
  }
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  out('\nHR@20 / MRR@20 (%) of clicks made while a search was active, each against the list served just before it;');
  out('reachable: % of those clicks on an item seen in the stream before and not the one the shopper is on (the HR@20 ceiling);');
  out('ratio ceiling: reachable / HR@20 without intent, the most any intent could gain\n');
  out('| log | slice | clicks | without intent | with intent | ratio | reachable | ratio ceiling |');
  out('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const name = r.name.split('/').at(-1) ?? r.name;
    for (const slice of ['afterSearch', 'seenQuery', 'unseenKnownTokens', 'unseenUnknown'] as const) {
      const reachable = r.with[slice].reachable;
      const ceiling = r.without[slice].hr20 > 0 ? `${(reachable / r.without[slice].hr20).toFixed(2)}×` : 'n/a';
      out(`| ${name} | ${slice} | ${r.with[slice].clicks.toLocaleString('en-US')} | ${cell(r.without[slice])} | ${cell(r.with[slice])} | ${ratio(r.with[slice], r.without[slice])} | ${reachable.toFixed(2)} | ${ceiling} |`);
    }
  }
  for (const r of results) {
    out(`\n${r.name}: ${r.events.toLocaleString('en-US')} events, ${r.searches.toLocaleString('en-US')} searches, both replays ${r.seconds} s; ${r.sessionsFlaggedAsBots.toLocaleString('en-US')} of ${r.sessions.toLocaleString('en-US')} sessions taken for bots`);
  }
  if (opts.json !== undefined) writeFileSync(opts.json, `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`eval:search failed: ${describeError(error)}\n`);
  process.exit(1);
});
