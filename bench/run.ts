/**
 * `npm run bench`: the engine against a bare kafkajs consumer on the same stream, in one run.
 * Produces Diginetica-derived events into Kafka, measures (a) a consumer that only parses JSON and (b)
 * the full engine (session windows, candidates, ranker, online model, Redis, ClickHouse), each several
 * times; then end-to-end freshness at 50 % and 80 % of the engine's rate, memory per 100k sessions and
 * items, and the hottest functions of a CPU profile. Writes bench/results/<date>.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { createKafka } from '../src/adapters/kafka/client.ts';
import { ensureTopics } from '../src/adapters/kafka/admin.ts';
import { createLogger } from '../src/adapters/log/pino.ts';
import type { Config } from '../src/config/config.ts';
import { resetNamespace } from '../scripts/demo/namespace.ts';
import { bareConsumer } from './bare-consumer.ts';
import { benchConfig as engineBenchConfig, startBenchEngine, untilStored } from './engine-run.ts';
import { LatencyHistogram } from './histogram.ts';
import { runProcesses, type ProcessRun } from './processes.ts';
import { profileTop, type HotFunction } from './profile.ts';
import { benchEvents, produceEvents } from './stream.ts';

const program = new Command()
  .option('--data <dir>', 'Diginetica folder', join(import.meta.dirname, '..', '..', 'shared', 'data', 'diginetica'))
  .option('--events <n>', 'events in the stream', '100000')
  .option('--runs <n>', 'runs per figure (the median is reported)', '3')
  .option('--load-seconds <n>', 'seconds of steady load per freshness run', '10')
  .option('--no-model', 'run the engine without the online model')
  .option('--no-api', 'skip the Feed API read-latency step (npm run bench:api)')
  .option('--processes <n>', 'instead: throughput of 1..n engine processes in one consumer group (scale-out)')
  .parse();
const opts = program.opts<{ data: string; events: string; runs: string; loadSeconds: string; model: boolean; api: boolean; processes?: string }>();
const EVENTS = Number(opts.events);
const RUNS = Number(opts.runs);
const stamp = Date.now().toString(36);
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const round = (value: number, digits = 0): number => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Drops a run's topics, database and keys. Cleanup is not a measurement: on a machine loaded by the run
 * itself, ClickHouse's DROP DATABASE can outlast a request timeout, so it is retried and, if it still
 * fails, reported and left behind rather than throwing away the figures measured so far.
 */
async function cleanup(config: Config): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await resetNamespace(config);
      return;
    } catch (error) {
      if (attempt >= 3) {
        process.stderr.write(`bench: cleanup of ${config.clickhouse.database} failed (${error instanceof Error ? error.message : String(error)}); left behind\n`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000 * attempt));
    }
  }
}

function benchConfig(label: string, topic: string): Config {
  return engineBenchConfig(label, topic, stamp, opts.model);
}

async function engineThroughput(label: string, topic: string, profile: boolean): Promise<{ eventsPerSecond: number; hot: HotFunction[] }> {
  const config = benchConfig(label, topic);
  const work = async (): Promise<number> => {
    const bench = await startBenchEngine(config);
    try {
      const end = await untilStored(bench, EVENTS, 600_000);
      return EVENTS / ((end - bench.probe.firstConsumedAt) / 1000);
    } finally {
      await bench.stop();
    }
  };
  try {
    if (!profile) return { eventsPerSecond: await work(), hot: [] };
    const { result, hot } = await profileTop(work);
    return { eventsPerSecond: result, hot };
  } finally {
    await cleanup({ ...config, kafka: { ...config.kafka, eventsTopic: `${topic}.none`, deadLetterTopic: config.kafka.deadLetterTopic } });
  }
}

async function freshnessAt(loads: readonly number[], maxRate: number, events: Parameters<typeof produceEvents>[2]): Promise<Record<string, { rate: number; p50Ms: number; p95Ms: number; p99Ms: number; samples: number }>> {
  const topic = `streamrec.bench.live.${stamp}`;
  const config = benchConfig('live', topic);
  const kafka = createKafka(config.kafka, createLogger({ level: 'warn' }), '-bench');
  await ensureTopics(kafka, config.kafka);
  const bench = await startBenchEngine(config);
  const out: Record<string, { rate: number; p50Ms: number; p95Ms: number; p99Ms: number; samples: number }> = {};
  let produced = 0;
  try {
    // Warm up until the group is joined and the first lists are served.
    const warm = events.slice(0, 200);
    await produceEvents(kafka, topic, warm, { rate: 0, stampNow: true, idSuffix: '-warm' });
    produced += warm.length;
    await untilStored(bench, produced, 120_000);
    for (const load of loads) {
      const rate = Math.max(1, Math.round(maxRate * load));
      const count = Math.min(events.length, Math.round(rate * Number(opts.loadSeconds)));
      const p: { p50: number[]; p95: number[]; p99: number[]; samples: number[] } = { p50: [], p95: [], p99: [], samples: [] };
      for (let run = 0; run < RUNS; run += 1) {
        const histogram = new LatencyHistogram();
        bench.probe.freshness = histogram;
        await produceEvents(kafka, topic, events.slice(0, count), { rate, stampNow: true, idSuffix: `-l${load}-${run}` });
        produced += count;
        await untilStored(bench, produced, 300_000);
        bench.probe.freshness = null;
        p.p50.push((histogram.quantile(0.5) ?? 0) * 1000);
        p.p95.push((histogram.quantile(0.95) ?? 0) * 1000);
        p.p99.push((histogram.quantile(0.99) ?? 0) * 1000);
        p.samples.push(histogram.count);
      }
      out[`${Math.round(load * 100)}%`] = { rate, p50Ms: round(median(p.p50), 1), p95Ms: round(median(p.p95), 1), p99Ms: round(median(p.p99), 1), samples: Math.round(median(p.samples)) };
      say(`  freshness at ${Math.round(load * 100)} % (${rate} events/s): p50 ${out[`${Math.round(load * 100)}%`]?.p50Ms} ms, p99 ${out[`${Math.round(load * 100)}%`]?.p99Ms} ms`);
    }
  } finally {
    await bench.stop();
    await cleanup(config);
  }
  return out;
}

/** `--processes N`: the same backlog through 1..N engine processes in one group; scaling and per-process cost. */
async function scaling(maxProcesses: number): Promise<void> {
  const started = Date.now();
  say(`streamrec bench --processes ${maxProcesses}: ${EVENTS} events, ${RUNS} runs per figure, model ${opts.model ? 'on' : 'off'}, ${(await import('node:os')).cpus().length} cores`);
  const events = await benchEvents(opts.data, EVENTS);
  const figures: { processes: number; eventsPerSecond: number; scaling: number; perProcessEventsPerSecond: number; rssMiBPerProcess: number; cpuSecondsPer1kEvents: number; runs: ProcessRun[] }[] = [];
  for (let n = 1; n <= maxProcesses; n += 1) {
    const runs: ProcessRun[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      runs.push(await runProcesses(n, `scale-${stamp}-n${n}-r${run}`, events, opts.model));
      const last = runs.at(-1);
      say(`  ${n} process(es), run ${run + 1}: ${Math.round(last?.eventsPerSecond ?? 0)} events/s, peak RSS ${last?.rssMiB.join(' + ')} MiB, ${round(last?.cpuSecondsPer1k ?? 0, 2)} CPU-s per 1k events`);
    }
    const eventsPerSecond = median(runs.map((r) => r.eventsPerSecond));
    const base = figures[0]?.eventsPerSecond ?? eventsPerSecond;
    figures.push({
      processes: n,
      eventsPerSecond: Math.round(eventsPerSecond),
      scaling: round(eventsPerSecond / base, 2),
      perProcessEventsPerSecond: Math.round(eventsPerSecond / n),
      rssMiBPerProcess: Math.round(median(runs.flatMap((r) => r.rssMiB))),
      cpuSecondsPer1kEvents: round(median(runs.map((r) => r.cpuSecondsPer1k)), 2),
      runs,
    });
  }
  const result = { date: new Date().toISOString(), machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, events: events.length, runs: RUNS, model: opts.model, processes: figures, wallSeconds: round((Date.now() - started) / 1000, 1) };
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  const file = join(import.meta.dirname, 'results', `${result.date.slice(0, 10)}-processes.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  say('');
  say('| processes | events/s (median) | × one process | events/s per process | peak RSS per process | CPU-s per 1k events |');
  say('|---|---|---|---|---|---|');
  for (const f of figures) say(`| ${f.processes} | ${f.eventsPerSecond} | ${f.scaling} | ${f.perProcessEventsPerSecond} | ${f.rssMiBPerProcess} MiB | ${f.cpuSecondsPer1kEvents} |`);
  say(`\nwrote ${file} (${result.wallSeconds} s)`);
}

async function main(): Promise<void> {
  if (opts.processes !== undefined) {
    const n = Number(opts.processes);
    if (!Number.isInteger(n) || n < 1 || n > 12) throw new Error(`--processes must be an integer from 1 to 12, got ${opts.processes}`);
    return scaling(n);
  }
  const started = Date.now();
  say(`streamrec bench: ${EVENTS} events, ${RUNS} runs per figure, model ${opts.model ? 'on' : 'off'}`);
  const events = await benchEvents(opts.data, EVENTS);
  const sessions = new Set(events.map((e) => e.session_id)).size;
  const topic = `streamrec.bench.${stamp}`;
  const config = benchConfig('bare', topic);
  const kafka = createKafka(config.kafka, createLogger({ level: 'warn' }), '-bench');
  await ensureTopics(kafka, config.kafka);
  const produced = await produceEvents(kafka, topic, events, { rate: 0, stampNow: false, idSuffix: '' });
  say(`• produced ${events.length} events of ${sessions} sessions into ${topic} (${config.kafka.partitions} partitions) in ${round(produced.seconds, 1)} s`);

  const bare: number[] = [];
  const engine: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    bare.push((await bareConsumer(kafka, topic, `bench-bare-${stamp}-${run}`, events.length)).eventsPerSecond);
    engine.push((await engineThroughput(`e${run}`, topic, false)).eventsPerSecond);
    say(`  run ${run + 1}: bare consumer ${bare.at(-1)} events/s, engine ${Math.round(engine.at(-1) ?? 0)} events/s`);
  }
  const bareRate = median(bare);
  const engineRate = median(engine);
  say('• CPU profile of one more engine run');
  const { hot } = await engineThroughput('profile', topic, true);
  say('• freshness under steady load (event produced → its list acknowledged by Redis)');
  const freshness = await freshnessAt([0.5, 0.8], engineRate, events);
  say('• memory (fresh process)');
  const memoryRun = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'memory.ts')], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (memoryRun.status !== 0) throw new Error(`memory measurement failed: ${memoryRun.stderr}`);
  const memory = JSON.parse(memoryRun.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
  let api: unknown = null;
  if (opts.api) {
    say('• Feed API read latency (bench/api.ts, its own process)');
    const apiRun = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'api.ts'), '--seconds', '10'], { encoding: 'utf8', maxBuffer: 1 << 22 });
    process.stdout.write(apiRun.stdout);
    if (apiRun.status !== 0) throw new Error(`Feed API measurement failed: ${apiRun.stderr}`);
    const written = /written (\S+\.json)/.exec(apiRun.stdout)?.[1];
    api = written === undefined ? null : (JSON.parse(readFileSync(written, 'utf8')) as unknown);
  }
  await cleanup({ ...config, kafka: { ...config.kafka, eventsTopic: topic } });

  const result = {
    date: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    events: events.length,
    sessions,
    runs: RUNS,
    model: opts.model,
    bareEventsPerSecond: Math.round(bareRate),
    engineEventsPerSecond: Math.round(engineRate),
    ratio: round(engineRate / bareRate, 3),
    perRun: { bare, engine: engine.map((v) => Math.round(v)) },
    freshness,
    memory,
    api,
    hot,
    wallSeconds: round((Date.now() - started) / 1000, 1),
  };
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  const file = join(import.meta.dirname, 'results', `${result.date.slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  say('');
  say('| figure | measured | target |');
  say('|---|---|---|');
  say(`| bare consumer (parse only) | ${result.bareEventsPerSecond} events/s | ceiling |`);
  say(`| engine | ${result.engineEventsPerSecond} events/s | |`);
  say(`| engine / bare | ${result.ratio} | ≥ 0.5 |`);
  for (const [load, f] of Object.entries(freshness)) say(`| freshness at ${load} load (${f.rate}/s) p50 / p95 / p99 | ${f.p50Ms} / ${f.p95Ms} / ${f.p99Ms} ms | p50 < 50, p99 < 250 ms at 50 % |`);
  say(`| memory per active session | ${memory['bytesPerSession']} B | ≤ 1024 B |`);
  say(`| candidate state: per 100k items (co-visitation, trending, popularity) | ${memory['itemStateMiBPer100kItems']} MiB | |`);
  say(`| of which co-visitation alone | ${memory['covisitMiBPer100kItems']} MiB | |`);
  say(`| candidate state: session-kNN per 100k stored past sessions | ${memory['knnMiBPer100kSessions']} MiB | |`);
  say(`| model per 100k items (dim ${memory['modelDim']}) | ${memory['modelMiBPer100kItems']} MiB | with the item state ≤ 100 MiB |`);
  say('');
  say('hottest functions (self time, profiled engine run):');
  for (const f of hot) say(`  ${String(f.selfPercent).padStart(5)} %  ${f.fn}  ${f.where}`);
  say(`\nwrote ${file} (${result.wallSeconds} s)`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
