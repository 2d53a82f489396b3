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
import { pickLiveSessions, replayLive } from '../src/replay/live-replay.ts';
import { runReplay } from '../src/replay/run.ts';
import { EngineProcess } from './demo/engine-process.ts';
import { formatFeed, pickCategoryShift, shareInCategory, type LiveScript } from './demo/live-session.ts';
import { DEMO_ENV, resetNamespace } from './demo/namespace.ts';
import { showStrategies } from './demo/strategies.ts';
import { histogramQuantile, parsePrometheus, sum } from '../src/adapters/metrics/prom-text.ts';

const program = new Command()
  .option('--data <dir>', 'Diginetica folder', join(import.meta.dirname, '..', '..', 'shared', 'data', 'diginetica'))
  .option('--limit <n>', 'events to replay', '60000')
  .option('--invalid-every <n>', 'one broken record after every N valid ones (shows the dead-letter path)', '2000')
  .option('--keep-running', 'leave the engine and the storefront running after the checks, until Ctrl-C (default when stdout is a terminal)')
  .option('--no-keep-running', 'stop the engine and the storefront after the checks')
  .parse();
const opts = program.opts<{ data: string; limit: string; invalidEvery: string; keepRunning?: boolean }>();

const metricsPort = process.env['STREAMREC_METRICS_PORT'] ?? '9464';
const env = {
  ...DEMO_ENV,
  STREAMREC_METRICS_PORT: metricsPort,
  // The storefront page uses the public key (feeds and events); the full key also allows /v1/rerank.
  STREAMREC_API_PORT: process.env['STREAMREC_API_PORT'] ?? '8080',
  STREAMREC_API_PUBLIC_KEY: process.env['STREAMREC_API_PUBLIC_KEY'] ?? 'demo-public-key',
  STREAMREC_API_KEYS: process.env['STREAMREC_API_KEYS'] ?? 'demo-full-key',
  STREAMREC_API_METRICS_URL: `http://127.0.0.1:${metricsPort}/metrics`,
  STREAMREC_API_DEMO_DATA_DIR: process.env['STREAMREC_API_DEMO_DATA_DIR'] ?? '',
};
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
  const api = new EngineProcess({ ...env, STREAMREC_API_DEMO_DATA_DIR: env.STREAMREC_API_DEMO_DATA_DIR === '' ? opts.data : env.STREAMREC_API_DEMO_DATA_DIR }, join('.stack', 'logs', 'demo-api.log'), 'src/api/main.ts');
  const storefront = `http://${config.api.host}:${config.api.port}/`;
  say(`• engine started (pid ${engine.pid ?? '?'}), log in .stack/logs/demo-engine.log, metrics at ${metricsUrl}`);
  for (let i = 0; i < 150 && (await scrape()).length === 0; i += 1) await sleep(200);
  for (let i = 0; i < 150 && (await fetch(`${storefront}healthz`).catch(() => null))?.ok !== true; i += 1) await sleep(200);
  say(`• Feed API and storefront demo (pid ${api.pid ?? '?'}) at ${storefront}  (API docs ${storefront}docs/json, key "${env.STREAMREC_API_KEYS}"), log in .stack/logs/demo-api.log`);

  let script: LiveScript | null = null;
  let live = new Map<string, BehaviourEvent[]>();
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
      const shift = script?.sourceSession;
      live = pickLiveSessions(data.events.filter((event) => event.session_id !== shift), LIVE_SESSIONS);
      return new Set([...(shift === undefined ? [] : [shift]), ...live.keys()]);
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

  const shopper = await liveShopper(script, opts.data);
  if (shopper !== null) liveProduced += await showStrategies(shopper.session, shopper.last, { config, api: storefront, key: env.STREAMREC_API_KEYS, say });
  await liveSessions(live);
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
  await prometheusCheck();
  say('• look around (while the stack runs)');
  say(`  metrics:     curl -s ${metricsUrl} | grep ^rec_    (every metric: README, "Metrics")`);
  say(`  Prometheus:  ${PROMETHEUS_URL}/graph?g0.expr=${encodeURIComponent(ONLINE_HR)}   (job "streamrec", alert rules from prometheus/alerts.yml)`);
  say(`  ClickHouse:  clickhouse-client -d ${config.clickhouse.database} -q "SELECT minute, sum(predictions) AS steps, round(100 * sum(hits_at_20) / steps, 1) AS hr20 FROM model_evaluation FINAL GROUP BY minute ORDER BY minute"`);
  say(`               16 more analyst queries in docs/analytics.md (CTR by source and by reason, conversion after a click, trending per category, ...)`);
  say(`  Redis:       redis-cli --scan --pattern '${config.redis.keyPrefix}feed:*' | head`);
  say('  Grafana:     point an existing Grafana at grafana/provisioning (boards: SRE, analyst, model); see grafana/dashboards/README.md');
  await clickhouse.close();
  const keep = opts.keepRunning ?? process.stdout.isTTY === true;
  if (keep) {
    say(`• storefront running at ${storefront}: click products and watch "recommended for you" follow (Ctrl-C stops engine and API)`);
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  }
  await api.stop();
  const code = await engine.stop();
  say(`• engine stopped (exit ${code ?? '?'}); demo took ${((Date.now() - wallStart) / 1000).toFixed(1)} s`);
  if (total !== events + letters || code !== 0) process.exitCode = 1;
}

let liveProduced = 0;
const LIVE_SESSIONS = 15;
const ONLINE_HR = 'sum(rate(rec_online_hits_total[1m])) / sum(rate(rec_online_predictions_total[1m]))';
const PROMETHEUS_URL = process.env['STREAMREC_PROMETHEUS_URL'] ?? 'http://127.0.0.1:39090';

/** Real sessions kept out of the backlog, replayed now against the lists the engine serves them. */
async function liveSessions(sessions: ReadonlyMap<string, readonly BehaviourEvent[]>): Promise<void> {
  if (sessions.size === 0) return;
  const kafka = new Kafka({ brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const redis = new Redis(config.redis.url);
  const result = await replayLive(
    sessions,
    {
      publish: async (events) => {
        await producer.send({ topic: config.kafka.eventsTopic, acks: -1, messages: events.map((e) => ({ key: e.session_id, value: JSON.stringify(e) })) });
      },
      readFeed: async (sessionId) => {
        const text = await redis.get(`${config.redis.keyPrefix}feed:s:${sessionId}`);
        return text === null ? null : (JSON.parse(text) as Feed);
      },
      now: Date.now,
      sleep,
    },
    { feedWaitMs: 3000 },
  );
  await redis.quit();
  await producer.disconnect();
  liveProduced += result.events + result.clicks;
  say(`• ${result.sessions} more real sessions replayed live, step by step: ${result.events} events; ${result.clicks} times the real next item was on the list just served (sent as a click on that list), ${result.attributedPurchases} purchases attributed to a list`);
  const samples = await scrape();
  const predictions = sum(samples, 'rec_online_predictions_total');
  const hits = sum(samples, 'rec_online_hits_total');
  if (predictions > 0) say(`  online HR@20 of the served lists so far (rec_online_hits_total / rec_online_predictions_total): ${((100 * hits) / predictions).toFixed(1)} % of ${fmt(predictions)} next-item steps`);
}

/** Asks the stack's Prometheus whether it scrapes the engine, and what it sees. */
async function prometheusCheck(): Promise<void> {
  const ask = async (query: string): Promise<number | null> => {
    const response = await fetch(`${PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent(query)}`).catch(() => null);
    if (response?.ok !== true) return null;
    const body = (await response.json()) as { data?: { result?: { value?: [number, string] }[] } };
    const value = body.data?.result?.[0]?.value?.[1];
    return value === undefined ? null : Number(value);
  };
  const up = await ask('up{job="streamrec"}');
  if (up === null) {
    say(`• Prometheus at ${PROMETHEUS_URL} has no streamrec target (is the stack up? bash scripts/stack/stack.sh status)`);
    return;
  }
  const rate = await ask('sum(rate(rec_events_valid_total[1m]))');
  const p99 = await ask('histogram_quantile(0.99, sum by (le) (rate(rec_freshness_seconds_bucket{from="ingest_time"}[1m])))');
  say(`• Prometheus (${PROMETHEUS_URL}) scrapes the engine: up=${up}, valid events/s over the last minute ${rate === null ? '-' : fmt(Math.round(rate))}, ingest→Redis p99 ${p99 === null || Number.isNaN(p99) ? '-' : `${p99.toFixed(2)} s`}`);
}

/** A new shopper replays a real session that switches category; we watch the feed after every click. */
async function liveShopper(script: LiveScript | null, dataDir: string): Promise<{ session: string; last: BehaviourEvent } | null> {
  if (script === null) {
    say('• no session with a category shift found in the data; skipping the live shopper');
    return null;
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
  let last: BehaviourEvent | null = null;
  for (const [i, step] of script.items.entries()) {
    const ts = Date.now();
    const event: BehaviourEvent = { event_id: `${session}-${i}`, type: 'view', ts, session_id: session, item_id: step.item, category_id: step.category };
    last = event;
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
  return last === null ? null : { session, last };
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
