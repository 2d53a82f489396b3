/**
 * `npm run demo`: the engine in its own process, real Diginetica sessions replayed through Kafka, and
 * a live shopper whose feed follows a shift of category. Ends with the count check
 * produced = rows in `events` + rows in `dead_letters`.
 */
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { Command } from 'commander';
import { Redis } from 'ioredis';
import { Partitioners, Kafka, logLevel } from 'kafkajs';
import { RawSql, identifier, sql } from '../src/adapters/clickhouse/sql.ts';
import { loadConfig } from '../src/config/load.ts';
import type { BehaviourEvent } from '../src/domain/event.ts';
import type { Feed } from '../src/domain/feed.ts';
import { loadCategories } from '../src/replay/categories.ts';
import { runReplay } from '../src/replay/run.ts';
import { EngineProcess } from './demo/engine-process.ts';
import { formatFeed, pickCategoryShift, shareInCategory, type LiveScript } from './demo/live-session.ts';
import { DEMO_ENV, resetNamespace } from './demo/namespace.ts';
import { histogramQuantile, parsePrometheus, sum } from './demo/prom-text.ts';

const program = new Command()
  .option('--data <dir>', 'Diginetica folder', join(import.meta.dirname, '..', '..', 'shared', 'data', 'diginetica'))
  .option('--limit <n>', 'events to replay', '60000')
  .option('--invalid-every <n>', 'one broken record after every N valid ones (shows the dead-letter path)', '2000')
  .parse();
const opts = program.opts<{ data: string; limit: string; invalidEvery: string }>();

const env = { ...DEMO_ENV, STREAMREC_METRICS_PORT: process.env['STREAMREC_METRICS_PORT'] ?? '9464' };
const config = loadConfig({ ...process.env, ...env });
const metricsUrl = `http://${config.metrics.host}:${config.metrics.port}/metrics`;
const db = identifier(config.clickhouse.database);
const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const fmt = (n: number): string => n.toLocaleString('en-US');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function scrape(): Promise<ReturnType<typeof parsePrometheus>> {
  const response = await fetch(metricsUrl).catch(() => null);
  return response?.ok === true ? parsePrometheus(await response.text()) : [];
}

async function main(): Promise<void> {
  const wallStart = Date.now();
  say('streamrec demo: Kafka → RxJS pipelines → Redis feeds, logged in ClickHouse');
  say(`• resetting the demo namespace (topic ${config.kafka.eventsTopic}, database ${config.clickhouse.database}, keys ${config.redis.keyPrefix}*)`);
  await resetNamespace(config);

  const engine = new EngineProcess(env, join('.stack', 'logs', 'demo-engine.log'));
  say(`• engine started (pid ${engine.pid ?? '?'}), log in .stack/logs/demo-engine.log, metrics at ${metricsUrl}`);
  for (let i = 0; i < 150 && (await scrape()).length === 0; i += 1) await sleep(200);

  let script: LiveScript | null = null;
  say(`• replaying ${fmt(Number(opts.limit))} real events from ${opts.data}`);
  const summary = await runReplay({
    dataDir: opts.data,
    limit: Number(opts.limit),
    invalidEvery: Number(opts.invalidEvery),
    config,
    // The live shopper replays one real session that moves category; keep it out of the replay, so its
    // feed is built from what other shoppers did, not from its own future.
    holdOut: (data) => {
      script = pickCategoryShift(data.events);
      return new Set(script === null ? [] : [script.sourceSession]);
    },
    onProgress: (p) => {
      if (process.stderr.isTTY) process.stderr.write(`\r  produced ${fmt(p.sent)}/${fmt(p.total)}   `);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  say(`  produced ${fmt(summary.produced.valid)} valid + ${fmt(summary.produced.invalid)} invalid records in ${summary.wallSeconds} s (${fmt(summary.eventsPerSecond)} records/s)`);

  const clickhouse = createClient({ url: config.clickhouse.url, username: config.clickhouse.username, password: config.clickhouse.password });
  const count = async (query: string): Promise<number> => {
    const rows = await (await clickhouse.query({ query, format: 'JSONEachRow' })).json<{ n: string }>();
    return Number(rows[0]?.n ?? 0);
  };
  say('• engine catching up (live summary from /metrics):');
  const produced = summary.produced.total;
  let stored = 0;
  for (let ticks = 0; ticks < 600; ticks += 1) {
    const samples = await scrape();
    stored = (await count(`SELECT count() AS n FROM ${db}.events`)) + (await count(`SELECT count() AS n FROM ${db}.dead_letters`));
    const consumed = sum(samples, 'rec_events_consumed_total');
    const p50 = histogramQuantile(samples, 'rec_freshness_seconds', 0.5, { from: 'ingest_time' });
    const p99 = histogramQuantile(samples, 'rec_freshness_seconds', 0.99, { from: 'ingest_time' });
    const lag = sum(samples, 'rec_consumer_lag_events');
    say(`  consumed ${fmt(consumed)}  stored ${fmt(stored)}/${fmt(produced)}  lag ${fmt(lag)}  ingest→Redis p50 ${p50 === null ? '-' : `${Math.round(p50 * 1000)} ms`} p99 ${p99 === null ? '-' : `${Math.round(p99 * 1000)} ms`}`);
    if (stored >= produced) break;
    await sleep(1000);
  }
  const span = await (
    await clickhouse.query({ query: `SELECT min(ingested_ms) AS first, max(ingested_ms) AS last FROM ${db}.events`, format: 'JSONEachRow' })
  ).json<{ first: string; last: string }>();
  const drainedAt = Date.now();
  const firstIngest = Number(span[0]?.first ?? drainedAt);
  say(`  engine throughput: ${fmt(Math.round(produced / Math.max(0.001, (drainedAt - firstIngest) / 1000)))} events/s (first record received → all stored)`);

  await liveShopper(script, opts.data);
  await realSession(clickhouse);

  const redis = new Redis(config.redis.url);
  let feeds = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.redis.keyPrefix}feed:*`, 'COUNT', 1000);
    cursor = next;
    feeds += keys.length;
  } while (cursor !== '0');
  await redis.quit();
  const total = produced + liveProduced;
  for (let i = 0; i < 100; i += 1) {
    if ((await count(`SELECT count() AS n FROM ${db}.events`)) + (await count(`SELECT count() AS n FROM ${db}.dead_letters`)) >= total) break;
    await sleep(100);
  }
  const events = await count(`SELECT count() AS n FROM ${db}.events`);
  const unique = await count(`SELECT uniqExact(event_id) AS n FROM ${db}.events`);
  const letters = await count(`SELECT count() AS n FROM ${db}.dead_letters`);
  say('• counts');
  say(`  records produced          ${fmt(total)} (${fmt(summary.produced.invalid)} deliberately invalid)`);
  say(`  rows in ${db}.events      ${fmt(events)} (${fmt(unique)} distinct event_id)`);
  say(`  rows in ${db}.dead_letters ${fmt(letters)}`);
  say(`  feeds in Redis            ${fmt(feeds)}`);
  say(`  check: produced ${fmt(total)} ${total === events + letters ? '=' : '≠'} events ${fmt(events)} + dead letters ${fmt(letters)}  ${total === events + letters ? 'OK' : 'MISMATCH'}`);
  say('• look around');
  say(`  metrics:     curl -s ${metricsUrl} | grep ^rec_`);
  say(`  ClickHouse:  clickhouse-client -q "SELECT type, count() FROM ${db}.events FINAL GROUP BY type"`);
  say(`  Redis:       redis-cli --scan --pattern '${config.redis.keyPrefix}feed:*' | head`);
  await clickhouse.close();
  const code = await engine.stop();
  say(`• engine stopped (exit ${code ?? '?'}); demo took ${((Date.now() - wallStart) / 1000).toFixed(1)} s`);
  if (total !== events + letters || code !== 0) process.exitCode = 1;
}

let liveProduced = 0;

/** A new shopper replays a real session that switches category; we watch the feed after every click. */
async function liveShopper(script: LiveScript | null, dataDir: string): Promise<void> {
  if (script === null) {
    say('• no session with a category shift found in the data; skipping the live shopper');
    return;
  }
  const categories = await loadCategories(join(dataDir, 'raw-cikm2016', 'product-categories.csv.gz'));
  const categoryOf = (item: string): string | undefined => categories.get(item);
  const session = `live-${Date.now().toString(36)}`;
  const newCategory = script.items[script.shiftAt]?.category ?? '';
  say(`• live shopper ${session} replays real session ${script.sourceSession}: ${script.shiftAt} views in category ${script.items[0]?.category}, then category ${newCategory}`);
  const kafka = new Kafka({ brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const redis = new Redis(config.redis.url);
  for (const [i, step] of script.items.entries()) {
    const ts = Date.now();
    const event: BehaviourEvent = { event_id: `${session}-${i}`, type: 'view', ts, session_id: session, item_id: step.item, category_id: step.category };
    await producer.send({ topic: config.kafka.eventsTopic, acks: -1, messages: [{ key: session, value: JSON.stringify(event) }] });
    liveProduced += 1;
    let feed: Feed | null = null;
    for (let tries = 0; tries < 100; tries += 1) {
      const text = await redis.get(`${config.redis.keyPrefix}feed:s:${session}`);
      feed = text === null ? null : (JSON.parse(text) as Feed);
      if (feed !== null && feed.event_ts >= ts) break;
      await sleep(20);
    }
    if (feed === null) continue;
    const marker = i === script.shiftAt ? '  ← moves to a new category' : '';
    say(`  view ${step.item} (cat ${step.category}) → feed in ${Date.now() - ts} ms, ${Math.round(shareInCategory(feed, categoryOf, newCategory) * 100)}% of top 10 in cat ${newCategory}${marker}`);
    say(`     ${formatFeed(feed, categoryOf)}`);
  }
  await redis.quit();
  await producer.disconnect();
}

/** The replayed session with the most events: its last events (ClickHouse) and its feed (Redis). */
async function realSession(clickhouse: ReturnType<typeof createClient>): Promise<void> {
  const top = await (
    await clickhouse.query({
      query: `SELECT session_id, count() AS n FROM ${db}.events WHERE session_id LIKE 'dg-%' AND type = 'view' GROUP BY session_id ORDER BY n DESC, session_id LIMIT 1`,
      format: 'JSONEachRow',
    })
  ).json<{ session_id: string; n: string }>();
  const session = top[0]?.session_id;
  if (session === undefined) return;
  const events = await (
    await clickhouse.query({
      query: sql`SELECT type, item_id, category_id, ts FROM ${new RawSql(db)}.events WHERE session_id = ${session} ORDER BY ts DESC LIMIT 5`,
      format: 'JSONEachRow',
    })
  ).json<{ type: string; item_id: string; category_id: string; ts: string }>();
  say(`• replayed session ${session} (${top[0]?.n} events), last events:`);
  for (const e of events.reverse()) say(`  ${new Date(Number(e.ts)).toISOString()} ${e.type} ${e.item_id} (cat ${e.category_id || '?'})`);
  const redis = new Redis(config.redis.url);
  const text = await redis.get(`${config.redis.keyPrefix}feed:s:${session}`);
  await redis.quit();
  if (text !== null) {
    const feed = JSON.parse(text) as Feed;
    say(`  its feed (${feed.items.length} items, model ${feed.model_version}): ${feed.items.slice(0, 6).map((i) => `${i.item_id}(${i.source})`).join('  ')}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
