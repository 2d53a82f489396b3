/**
 * Replays the DIGINETICA dataset into Kafka as behaviour events. The logic lives in src/replay;
 * this file only parses flags, shows progress and prints the summary.
 *
 *   npx tsx scripts/replay.ts --limit 60000 --rate 2000 --invalid-every 1000
 *
 * Exit codes: 0 done, 1 error (message on stderr), 130 interrupted by Ctrl-C (summary still printed).
 */
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { describeError } from '../src/errors.ts';
import { REPLAY_SOURCES, type ReplaySource } from '../src/replay/diginetica.ts';
import { runReplay, type ReplayProgress, type ReplaySummary } from '../src/replay/run.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_DATA = resolve(REPO_ROOT, '../shared/data/diginetica');
/** Without a TTY (CI, piped logs) a redrawn bar is noise; print one line this often instead. */
const PLAIN_PROGRESS_EVERY_MS = 5_000;
const INTERRUPT_ECHO_MS = 1_000;

function wholeNumber(name: string): (text: string) => number {
  return (text) => {
    if (!/^\d+$/.test(text)) throw new InvalidArgumentError(`${name} must be a whole number ≥ 0`);
    return Number(text);
  };
}

function sourceList(text: string): ReplaySource[] {
  const parts = text.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
  const bad = parts.filter((part) => !(REPLAY_SOURCES as readonly string[]).includes(part));
  if (parts.length === 0 || bad.length > 0) {
    throw new InvalidArgumentError(`expected a comma-separated subset of ${REPLAY_SOURCES.join(',')}`);
  }
  return [...new Set(parts)] as ReplaySource[];
}

interface CliOptions {
  readonly data: string;
  readonly sources: ReplaySource[];
  readonly limit: number;
  readonly rate: number;
  readonly batch: number;
  readonly invalidEvery: number;
  readonly shiftToNow: boolean;
  readonly topic?: string;
  readonly seed?: number;
  readonly jsonSummary?: string;
}

const program = new Command()
  .name('replay')
  .description('Replay DIGINETICA views, purchases and SR-GNN sessions into the Kafka events topic.')
  .option('--data <dir>', 'DIGINETICA folder (raw-cikm2016/, srgnn-protocol/)', DEFAULT_DATA)
  .option('--sources <list>', `comma-separated subset of ${REPLAY_SOURCES.join(',')}`, sourceList, [...REPLAY_SOURCES])
  .option('--limit <n>', 'most valid events (views+purchases first, then whole SR-GNN sessions); 0 = all', wholeNumber('--limit'), 0)
  .option('--rate <n>', 'records per second; 0 = flat out', wholeNumber('--rate'), 0)
  .addOption(new Option('--batch <n>', 'records per produce call').default(500).argParser(wholeNumber('--batch')))
  .option('--invalid-every <n>', 'one broken record after every N valid ones; 0 = none', wholeNumber('--invalid-every'), 0)
  .option('--shift-to-now', 'shift all timestamps so the newest is just before now (default)', true)
  .option('--no-shift-to-now', 'keep the dataset timestamps (2016)')
  .option('--topic <name>', 'topic to produce to (default: the configured events topic)')
  .option('--seed <n>', 'seed for the SR-GNN timing', wholeNumber('--seed'))
  .option('--json-summary <file>', 'also write the summary as JSON to this file')
  .showHelpAfterError();

function progressReporter(): { update: (p: ReplayProgress) => void; start: (total: number) => void; stop: () => void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      { stream: process.stderr, format: 'replay [{bar}] {percentage}% | {value}/{total} | {rate} rec/s | eta {eta}s', hideCursor: true },
      Presets.shades_classic,
    );
    return {
      start: (total) => bar.start(total, 0, { rate: 0 }),
      update: (p) => bar.update(p.sent, { rate: p.elapsedMs > 0 ? Math.round((p.sent * 1000) / p.elapsedMs) : 0 }),
      stop: () => bar.stop(),
    };
  }
  let lastPrint = 0;
  return {
    start: (total) => process.stderr.write(`replay: ${total} records to send\n`),
    update: (p) => {
      if (p.elapsedMs - lastPrint < PLAIN_PROGRESS_EVERY_MS && p.sent < p.total) return;
      lastPrint = p.elapsedMs;
      const rate = p.elapsedMs > 0 ? Math.round((p.sent * 1000) / p.elapsedMs) : 0;
      process.stderr.write(`replay: ${p.sent}/${p.total} (${((100 * p.sent) / Math.max(p.total, 1)).toFixed(1)}%) ${rate} rec/s\n`);
    },
    stop: () => undefined,
  };
}

function printSummary(summary: ReplaySummary): void {
  const lines = [
    `replay ${summary.interrupted ? 'INTERRUPTED' : 'done'} → topic ${summary.topic}`,
    `  produced      ${summary.produced.valid} valid + ${summary.produced.invalid} invalid = ${summary.produced.total} records`,
    `  selected      views ${summary.selected.views}, purchases ${summary.selected.purchases}, srgnn ${summary.selected.sessions} (${summary.srgnnSessions.taken} sessions)`,
    `  in the files  views ${summary.available.views}, purchases ${summary.available.purchases}, srgnn ${summary.available.sessions} (${summary.srgnnSessions.available} sessions)`,
    `  view days     ${summary.viewDays === null ? 'n/a' : `${summary.viewDays.first} .. ${summary.viewDays.last}`}`,
    `  event time    ${summary.eventTime === null ? 'n/a' : `${summary.eventTime.first} .. ${summary.eventTime.last}`} (shift ${Math.round(summary.shiftMs / 86_400_000)} days)`,
    `  time          load ${summary.loadSeconds.toFixed(2)} s, produce ${summary.wallSeconds.toFixed(2)} s, ${summary.eventsPerSecond} records/s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<number> {
  program.parse();
  const cli = program.opts<CliOptions>();
  if (cli.batch < 1) throw new InvalidArgumentError('--batch must be at least 1');
  const controller = new AbortController();
  let firstInterrupt: number | null = null;
  process.on('SIGINT', () => {
    const now = Date.now();
    if (firstInterrupt === null) {
      firstInterrupt = now;
      process.stderr.write('\nreplay: stopping after the current batch (Ctrl-C again to abort)\n');
      controller.abort();
      return;
    }
    // Under `npx tsx`, one Ctrl-C reaches this process several times within milliseconds (from the
    // terminal and relayed by npm and tsx), so only a later press means "abort now".
    if (now - firstInterrupt > INTERRUPT_ECHO_MS) process.exit(130);
  });
  const progress = progressReporter();
  let started = false;
  try {
    const summary = await runReplay({
      dataDir: resolve(cli.data),
      sources: cli.sources,
      limit: cli.limit,
      rate: cli.rate,
      batchSize: cli.batch,
      invalidEvery: cli.invalidEvery,
      shiftToNow: cli.shiftToNow,
      signal: controller.signal,
      ...(cli.topic === undefined ? {} : { topic: cli.topic }),
      ...(cli.seed === undefined ? {} : { seed: cli.seed }),
      onNotice: (message) => process.stderr.write(`replay: ${message}\n`),
      onLoaded: (_loaded, total) => {
        started = true;
        progress.start(total);
      },
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    printSummary(summary);
    if (cli.jsonSummary !== undefined) await writeFile(cli.jsonSummary, `${JSON.stringify(summary, null, 2)}\n`);
    return summary.interrupted ? 130 : 0;
  } catch (error: unknown) {
    if (started) progress.stop();
    process.stderr.write(`replay failed: ${describeError(error)}\n`);
    return 1;
  }
}

process.exitCode = await main();
