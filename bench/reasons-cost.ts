/**
 * `node --import tsx bench/reasons-cost.ts [--events N --runs R]`: what explaining every served item
 * (src/domain/reasons.ts) costs the engine. Drains the same Diginetica-derived backlog with
 * `reasons.enabled` on and off, alternating, R times each (model off), and prints the medians.
 */
import { Command } from 'commander';
import { ensureTopics } from '../src/adapters/kafka/admin.ts';
import { createKafka } from '../src/adapters/kafka/client.ts';
import { createLogger } from '../src/adapters/log/pino.ts';
import { loadConfig } from '../src/config/load.ts';
import { resetNamespace } from '../scripts/demo/namespace.ts';
import { startBenchEngine, untilStored } from './engine-run.ts';
import { benchEvents, produceEvents } from './stream.ts';
import { join } from 'node:path';

const opts = new Command()
  .option('--data <dir>', 'Diginetica folder', join(import.meta.dirname, '..', '..', 'shared', 'data', 'diginetica'))
  .option('--events <n>', 'events in the backlog', '30000')
  .option('--runs <n>', 'runs per setting', '3')
  .parse()
  .opts<{ data: string; events: string; runs: string }>();
const stamp = Date.now().toString(36);
const topic = `streamrec.bench.reasons.${stamp}`;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const configFor = (label: string, enabled: boolean) =>
  loadConfig({
    ...process.env,
    STREAMREC_KAFKA_EVENTS_TOPIC: topic,
    STREAMREC_KAFKA_DEAD_LETTER_TOPIC: `${topic}.dlq`,
    STREAMREC_KAFKA_ITEM_UPDATES_TOPIC: `${topic}.items`,
    STREAMREC_KAFKA_GROUP_ID: `bench-reasons-${label}-${stamp}`,
    STREAMREC_CLICKHOUSE_DATABASE: `streamrec_bench_reasons_${label}_${stamp}`,
    STREAMREC_REDIS_KEY_PREFIX: `bench:reasons:${label}:`,
    STREAMREC_METRICS_PORT: '0',
    STREAMREC_MODEL_ENABLED: 'false',
    STREAMREC_REASONS_ENABLED: String(enabled),
    STREAMREC_LOG_LEVEL: 'warn',
  });

async function main(): Promise<void> {
  const events = await benchEvents(opts.data, Number(opts.events));
  const base = configFor('produce', true);
  const kafka = createKafka(base.kafka, createLogger({ level: 'warn' }), '-bench');
  await ensureTopics(kafka, base.kafka);
  await produceEvents(kafka, topic, events, { rate: 0, stampNow: false, idSuffix: '' });
  const rates: Record<'on' | 'off', number[]> = { on: [], off: [] };
  try {
    for (let run = 0; run < Number(opts.runs); run += 1) {
      for (const setting of ['on', 'off'] as const) {
        const config = configFor(`${setting}${run}`, setting === 'on');
        const bench = await startBenchEngine(config);
        try {
          const end = await untilStored(bench, events.length, 600_000);
          rates[setting].push(Math.round(events.length / ((end - bench.probe.firstConsumedAt) / 1000)));
        } finally {
          await bench.stop();
          await resetNamespace({ ...config, kafka: { ...config.kafka, eventsTopic: `${topic}.none` } });
        }
        process.stdout.write(`run ${run + 1}, reasons ${setting}: ${rates[setting].at(-1)} events/s\n`);
      }
    }
  } finally {
    await resetNamespace(base);
  }
  const on = median(rates.on);
  const off = median(rates.off);
  process.stdout.write(`median: reasons on ${on} events/s, off ${off} events/s (${(100 * (on / off - 1)).toFixed(1)} %)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
