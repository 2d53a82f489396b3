/**
 * `npm run bench -- freshness [rate] [seconds] [nomodel]`: end-to-end freshness at one steady rate, with
 * the time each pipeline stage and sink took per batch, to see where a list waits. Warms the engine on
 * 3,000 events, then produces `rate` events/s for `seconds` and prints the histogram quantiles (event
 * produced → list acknowledged by Redis) and a line per stage.
 */
import { createKafka } from '../src/adapters/kafka/client.ts';
import { ensureTopics } from '../src/adapters/kafka/admin.ts';
import { createLogger } from '../src/adapters/log/pino.ts';
import { loadConfig } from '../src/config/load.ts';
import { startEngine } from '../src/engine.ts';
import { noopMetrics } from '../src/adapters/memory/metrics.ts';
import { resetNamespace } from '../scripts/demo/namespace.ts';
import { LatencyHistogram } from './histogram.ts';
import { benchEvents, produceEvents } from './stream.ts';
import { join } from 'node:path';

const rate = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 10);
const model = process.argv[4] !== 'nomodel';
const stamp = Date.now().toString(36);
const topic = `streamrec.probe.${stamp}`;
const config = loadConfig({ ...process.env, STREAMREC_KAFKA_EVENTS_TOPIC: topic, STREAMREC_KAFKA_DEAD_LETTER_TOPIC: `${topic}.dlq`, STREAMREC_KAFKA_ITEM_UPDATES_TOPIC: `${topic}.items`, STREAMREC_KAFKA_GROUP_ID: `probe-${stamp}`, STREAMREC_CLICKHOUSE_DATABASE: `streamrec_probe_${stamp}`, STREAMREC_REDIS_KEY_PREFIX: `probe:${stamp}:`, STREAMREC_METRICS_PORT: '0', STREAMREC_MODEL_ENABLED: String(model), STREAMREC_LOG_LEVEL: 'warn' });
const hist = new LatencyHistogram();
const ingest = new LatencyHistogram();
const stages = new Map<string, { n: number; s: number; max: number }>();
const batches: number[] = [];
let on = false;
const add = (k: string, s: number) => { const v = stages.get(k) ?? { n: 0, s: 0, max: 0 }; v.n++; v.s += s; v.max = Math.max(v.max, s); stages.set(k, v); };
const metrics = { ...noopMetrics(),
  freshness: (kind: string, s: number) => { if (!on) return; (kind === 'event_time' ? hist : ingest).record(s); },
  stageSeconds: (st: string, s: number) => { if (on) add(st, s); },
  sinkWrite: (sink: string, s: number) => { if (on) add(`sink:${sink}`, s); },
  batchSize: (n: number) => { if (on) batches.push(n); },
};
const events = await benchEvents(join(import.meta.dirname, '..', '..', 'shared', 'data', 'diginetica'), 60000);
const kafka = createKafka(config.kafka, createLogger({ level: 'warn' }), '-probe');
await ensureTopics(kafka, config.kafka);
const engine = await startEngine(config, createLogger({ level: 'warn' }), { metrics });
await produceEvents(kafka, topic, events.slice(0, 3000), { rate: 0, stampNow: true, idSuffix: '-w' });
await new Promise((r) => setTimeout(r, 8000));
on = true;
const t0 = Date.now();
await produceEvents(kafka, topic, events.slice(3000, 3000 + rate * seconds), { rate, stampNow: true, idSuffix: '-l' });
console.log('produce took', (Date.now() - t0) / 1000);
await new Promise((r) => setTimeout(r, 5000));
on = false;
const q = (h: LatencyHistogram, p: number) => ((h.quantile(p) ?? 0) * 1000).toFixed(1);
console.log(`rate ${rate} model ${model}: event_time p50 ${q(hist, 0.5)} p95 ${q(hist, 0.95)} p99 ${q(hist, 0.99)} n=${hist.count}; ingest p50 ${q(ingest, 0.5)} p99 ${q(ingest, 0.99)}`);
batches.sort((a, b) => a - b);
console.log('batches', batches.length, 'median size', batches[Math.floor(batches.length / 2)], 'max', batches.at(-1));
for (const [k, v] of stages) console.log(k.padEnd(20), 'n', v.n, 'mean ms', (v.s / v.n * 1000).toFixed(2), 'max ms', (v.max * 1000).toFixed(1), 'total s', v.s.toFixed(2));
await engine.stop();
await resetNamespace(config);
process.exit(0);
