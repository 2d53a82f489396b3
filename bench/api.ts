/**
 * `npm run bench:api`: read latency of the Feed API under load (not part of `npm test`). Fills Redis
 * under its own key prefix with session feeds and session states in the engine's format (through the
 * engine's Redis adapter), starts the API as its own process, and drives GET /v1/feeds/:id and
 * POST /v1/rerank with autocannon (random sessions, fixed concurrency, fixed duration). Prints
 * p50/p90/p99 and writes bench/results/api-<date>.json; removes its keys at the end.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Command } from 'commander';
import { Redis } from 'ioredis';
import { RedisStateStore } from '../src/adapters/redis/state-store.ts';
import { loadConfig } from '../src/config/load.ts';
import type { FeedItem, FeedWrite } from '../src/domain/feed.ts';
import type { SessionFeatures } from '../src/domain/session-features.ts';
import { freePort } from '../test/helpers/free-port.ts';

const program = new Command()
  .option('--sessions <n>', 'session feeds written to Redis', '20000')
  .option('--seconds <n>', 'duration of each load phase', '15')
  .option('--connections <n>', 'concurrent HTTP connections', '16')
  .option('--items <n>', 'items in each rerank request', '100')
  .option('--rate <n>', 'requests/s of the fixed-rate phases (latency without queueing behind a saturated server)', '500')
  .parse();
const opts = program.opts<{ sessions: string; seconds: string; connections: string; items: string; rate: string }>();
const SESSIONS = Number(opts.sessions);
const KEY = 'bench-api-key-0001';
const prefix = `bench-api-${Date.now().toString(36)}:`;
const base = loadConfig({ ...process.env, STREAMREC_REDIS_KEY_PREFIX: prefix });
const say = (line = ''): void => void process.stdout.write(`${line}\n`);

function feedOf(session: number): FeedWrite {
  const items: FeedItem[] = Array.from({ length: base.candidates.feedSize }, (_, i) => ({
    item_id: String(1000 + ((session * 7 + i * 13) % 5000)),
    score: Math.round((5 - i * 0.07) * 1e6) / 1e6,
    source: 'covisit',
    category_id: String(i % 12),
    reason: { type: 'viewed', evidence: { item_id: String(1000 + (session % 5000)), via: 'covisit', score: 1.5 }, text: `Because you viewed ${1000 + (session % 5000)}` },
  }));
  return {
    owner: { kind: 'session', id: `b-${session}` },
    ingestedAt: Date.now(),
    feed: { items, generated_at: Date.now(), event_ts: Date.now(), version: 1, model_version: 'blend-v2', variant: 'default', recommendation_id: `r${session}` },
  };
}

function featuresOf(session: number): SessionFeatures {
  return {
    session_id: `b-${session}`,
    user_id: null,
    partition: 0,
    first_seen: Date.now(),
    last_seen: Date.now(),
    event_count: 8,
    last_items: Array.from({ length: 8 }, (_, i) => String(1000 + ((session + i) % 5000))),
    counts_5m: { view: 8 },
    counts_1h: { view: 8 },
    counts_24h: { view: 8 },
    categories_5m: { '3': 8 },
    categories_1h: { '3': 8 },
    categories_24h: { '3': 8 },
  };
}

async function fill(): Promise<void> {
  const store = new RedisStateStore(base.redis);
  for (let from = 0; from < SESSIONS; from += 1000) {
    const ids = Array.from({ length: Math.min(1000, SESSIONS - from) }, (_, i) => from + i);
    await store.write({ feeds: ids.map(feedOf), features: ids.map(featuresOf) });
  }
  await store.close();
}

async function clean(): Promise<void> {
  const redis = new Redis(base.redis.url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

interface Phase {
  readonly name: string;
  readonly requests: number;
  readonly rps: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

/** Exact quantile of sorted values (nearest rank), to 0.01 ms: autocannon's own histogram has 1 ms steps. */
function quantile(sorted: Float64Array, q: number): number {
  const value = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return Math.round(value * 100) / 100;
}

async function load(name: string, url: string, request: autocannon.Request, rate?: number): Promise<Phase> {
  const times: number[] = [];
  const options: autocannon.Options = { url, connections: rate === undefined ? Number(opts.connections) : 8, duration: Number(opts.seconds), requests: [request], ...(rate === undefined ? {} : { overallRate: rate }) };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error: unknown, done: autocannon.Result) => (error === null || error === undefined ? resolve(done) : reject(error)));
    instance.on('response', (_client, _status, _bytes, responseTime) => void times.push(responseTime));
  });
  const sorted = Float64Array.from(times).sort();
  const mean = times.reduce((sum, t) => sum + t, 0) / Math.max(1, times.length);
  return {
    name: rate === undefined ? `${name}, ${opts.connections} connections (saturated)` : `${name}, ${rate} req/s`,
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    errors: result.errors,
    non2xx: result.non2xx,
    latencyMs: { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), max: quantile(sorted, 1), mean: Math.round(mean * 100) / 100 },
  };
}

async function main(): Promise<void> {
  const port = await freePort();
  say(`• writing ${SESSIONS.toLocaleString('en-US')} session feeds (${base.candidates.feedSize} items with reasons) and session states under ${prefix}*`);
  await fill();
  const api = spawn(process.execPath, ['--import', 'tsx', 'src/api/main.ts'], {
    env: { ...process.env, STREAMREC_REDIS_KEY_PREFIX: prefix, STREAMREC_API_PORT: String(port), STREAMREC_API_KEYS: KEY, STREAMREC_API_RATE_LIMIT_PER_MINUTE: '1000000000', STREAMREC_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 150 && (await fetch(`${url}/healthz`).catch(() => null))?.ok !== true; i += 1) await new Promise((r) => setTimeout(r, 200));
    say(`• API (pid ${api.pid ?? '?'}) at ${url}; ${opts.connections} connections, ${opts.seconds} s per phase`);
    const random = (): number => Math.floor(Math.random() * SESSIONS);
    const headers = { 'x-api-key': KEY, 'content-type': 'application/json' };
    // Warm-up: JIT, connection pools.
    await autocannon({ url, connections: 4, duration: 2, requests: [{ method: 'GET', path: '/v1/feeds/s:b-1', headers }] });
    const feedRequest: autocannon.Request = { method: 'GET', headers, setupRequest: (req) => ({ ...req, path: `/v1/feeds/s:b-${random()}?n=20` }) };
    const items = Array.from({ length: Number(opts.items) }, (_, i) => String(1000 + i * 37));
    const rerankRequest: autocannon.Request = {
      method: 'POST',
      headers,
      setupRequest: (req) => ({ ...req, path: '/v1/rerank', body: JSON.stringify({ session_id: `b-${random()}`, items }) }),
    };
    const rate = Number(opts.rate);
    const phases = [
      await load('GET /v1/feeds/:id?n=20', url, feedRequest, rate),
      await load(`POST /v1/rerank (${opts.items} items)`, url, rerankRequest, rate),
      await load('GET /v1/feeds/:id?n=20', url, feedRequest),
      await load(`POST /v1/rerank (${opts.items} items)`, url, rerankRequest),
    ];
    const results = { date: new Date().toISOString(), sessions: SESSIONS, seconds: Number(opts.seconds), loadAverage: loadavg().map((l) => Math.round(l * 100) / 100), phases };
    say('');
    say('| endpoint | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors / non-2xx |');
    say('|---|---|---|---|---|---|---|---|');
    for (const p of results.phases) say(`| ${p.name} | ${p.requests.toLocaleString('en-US')} | ${p.rps.toLocaleString('en-US')} | ${p.latencyMs.p50} | ${p.latencyMs.p90} | ${p.latencyMs.p99} | ${p.latencyMs.max} | ${p.errors} / ${p.non2xx} |`);
    mkdirSync(join('bench', 'results'), { recursive: true });
    const out = join('bench', 'results', `api-${results.date.slice(0, 16).replace(':', '')}.json`);
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    say(`\n• machine load average (1/5/15 min) at the end: ${results.loadAverage.join(' / ')}; written ${out}`);
  } finally {
    api.kill('SIGTERM');
    await clean();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:api: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
