/**
 * `npm run bench -- drain`: the engine's drain rate alone, for comparing two builds or finding where a
 * batch's time goes. Produces the stream once, then drains it with fresh engines `--runs` times (each
 * in its own consumer group and database) and prints every run, the median, and optionally the hottest
 * functions of one more profiled run. Not part of `npm test`.
 */
import { Command } from 'commander';
import { join } from 'node:path';
import { ensureTopics } from '../src/adapters/kafka/admin.ts';
import { createKafka } from '../src/adapters/kafka/client.ts';
import { createLogger } from '../src/adapters/log/pino.ts';
import type { Config } from '../src/config/config.ts';
import { resetNamespace } from '../scripts/demo/namespace.ts';
import { benchConfig, startBenchEngine, untilStored } from './engine-run.ts';
import { profileTop } from './profile.ts';
import { benchEvents, produceEvents } from './stream.ts';

const opts = new Command()
  .option('--data <dir>', 'Diginetica folder', join(import.meta.dirname, '..', '..', 'shared', 'data', 'diginetica'))
  .option('--events <n>', 'events in the stream', '10000')
  .option('--runs <n>', 'drains', '3')
  .option('--no-model', 'run the engine without the online model')
  .option('--profile', 'profile one more drain and print its hottest functions')
  .parse()
  .opts<{ data: string; events: string; runs: string; model: boolean; profile?: boolean }>();

const stamp = Date.now().toString(36);
const topic = `streamrec.drain.${stamp}`;
const configFor = (label: string): Config => benchConfig(`drain${label}`, topic, stamp, opts.model);

async function drain(label: string, events: number): Promise<number> {
  const config = configFor(label);
  const bench = await startBenchEngine(config);
  try {
    const end = await untilStored(bench, events, 600_000);
    const seconds = (end - bench.probe.firstConsumedAt) / 1000;
    const stages = [...bench.probe.stages].map(([stage, s]) => `${stage} ${Math.round((100 * s) / seconds)} %`).join(', ');
    process.stdout.write(`  ${bench.probe.batches} batches; stage time / drain time: ${stages}\n`);
    return events / seconds;
  } finally {
    await bench.stop();
    await resetNamespace({ ...config, kafka: { ...config.kafka, eventsTopic: `${topic}.none` } }).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const events = await benchEvents(opts.data, Number(opts.events));
  const config = configFor('produce');
  const kafka = createKafka(config.kafka, createLogger({ level: 'warn' }), '-drain');
  await ensureTopics(kafka, config.kafka);
  await produceEvents(kafka, topic, events, { rate: 0, stampNow: false, idSuffix: '' });
  const rates: number[] = [];
  for (let run = 0; run < Number(opts.runs); run += 1) {
    rates.push(Math.round(await drain(`r${run}`, events.length)));
    process.stdout.write(`run ${run + 1}: ${rates.at(-1)} events/s\n`);
  }
  const sorted = [...rates].sort((a, b) => a - b);
  process.stdout.write(`median ${sorted[Math.floor(sorted.length / 2)]} events/s over ${events.length} events\n`);
  if (opts.profile === true) {
    const { result, hot } = await profileTop(() => drain('profile', events.length), 30);
    process.stdout.write(`profiled: ${Math.round(result)} events/s\n`);
    for (const h of hot) process.stdout.write(`${String(h.selfPercent).padStart(5)} %  ${h.fn}  ${h.where}\n`);
  }
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}

await main();
