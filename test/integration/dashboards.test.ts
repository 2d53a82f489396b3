import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOARDS } from '../../scripts/grafana/boards.ts';
import { expandClickHouseMacros, expandPromVariables } from '../../scripts/grafana/macros.ts';
import { panelQueries } from '../../scripts/grafana/queries.ts';
import { startObservedEngine, type ObservedEngine } from '../helpers/observed-engine.ts';
import { startPrometheus, type PrometheusServer } from '../helpers/prometheus.ts';
import { waitFor } from '../helpers/wait-for.ts';

/**
 * Grafana cannot be installed here, so this runs what it would: every panel query against a real
 * engine's ClickHouse database and against a real Prometheus scraping that engine every second.
 */

const ALERTS = fileURLToPath(new URL('../../prometheus/alerts.yml', import.meta.url));
/** Stands in for `$__rate_interval`: several 1 s scrapes, short enough to fill soon after start. */
const RATE_WINDOW = '30s';
const YEAR_S = 365 * 24 * 3600;

const queries = BOARDS.flatMap((b) => panelQueries(b.build()));
const sqlPanels = queries.flatMap((q) => (q.kind === 'clickhouse' ? [{ name: `${q.board} / ${q.panel}`, sql: q.sql }] : []));
const promTargets = queries.flatMap((q) => (q.kind === 'prometheus' ? [{ name: `${q.board} / ${q.panel}: ${q.expr}`, expr: q.expr }] : []));

let engine: ObservedEngine | undefined;
let prometheus: PrometheusServer | undefined;

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`${what} did not start (see beforeAll)`);
  return value;
};

beforeAll(async () => {
  engine = await startObservedEngine();
  prometheus = await startPrometheus(engine.metricsTarget, { ruleFiles: [ALERTS] });
}, 15 * 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await engine?.stop();
}, 120_000);

/** A panel's SQL over a range covering the replayed backlog (2016 event times) and the live part (now). */
function runPanel(sql: string): Promise<Record<string, unknown>[]> {
  const now = Date.now() / 1000;
  return need(engine, 'engine').query(expandClickHouseMacros(sql, now - 20 * YEAR_S, now + 24 * 3600));
}

function panelSql(title: string): string {
  const found = sqlPanels.find((p) => p.name.endsWith(` / ${title}`));
  if (found === undefined) throw new Error(`no ClickHouse panel titled ${title}`);
  return found.sql;
}

const total = (rows: readonly Record<string, unknown>[], column: string): number => rows.reduce((sum, row) => sum + Number(row[column] ?? 0), 0);

describe('ClickHouse panels', () => {
  it.each(sqlPanels)('$name returns rows', async ({ sql }) => {
    expect((await runPanel(sql)).length).toBeGreaterThan(0);
  });

  // Panels that aggregate without GROUP BY return a row even on empty tables; these see real traffic.
  it('analyst panels count the live clicks on served lists and the catalogue', async () => {
    expect(total(await runPanel(panelSql('CTR of recommended items by source')), 'clicks')).toBeGreaterThan(0);
    expect(total(await runPanel(panelSql('Conversion after a recommendation click')), 'clicked_items')).toBeGreaterThan(0);
    const [coverage] = await runPanel(panelSql('Catalogue coverage'));
    expect(Number(coverage?.['recommended_items'])).toBeGreaterThan(0);
    expect(Number(coverage?.['catalogue_items'])).toBeGreaterThan(0);
  });

  it('model and SRE history panels see scored predictions and dead letters', async () => {
    expect(total(await runPanel(panelSql('Evaluation by model version (ClickHouse)')), 'scored')).toBeGreaterThan(0);
    expect(total(await runPanel(panelSql('Dead letters by reason (ClickHouse)')), 'records')).toBeGreaterThan(0);
  });
});

describe('Prometheus panels', () => {
  it.each(promTargets)('$name returns series', async ({ expr }) => {
    const server = need(prometheus, 'prometheus');
    const series = await waitFor(() => server.query(expandPromVariables(expr, RATE_WINDOW)), (s) => s.length > 0, { timeoutMs: 45_000, intervalMs: 1000, what: `series for ${expr}` });
    expect(series.length).toBeGreaterThan(0);
  });

  it('every alert rule loads and evaluates without error', async () => {
    const server = need(prometheus, 'prometheus');
    type Rules = { groups: { rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[] }[] };
    const rules = await waitFor(
      async () => ((await server.api('rules')) as Rules).groups.flatMap((g) => g.rules),
      (all) => all.length > 0 && all.every((r) => !r.lastEvaluation.startsWith('0001-')),
      { timeoutMs: 30_000, what: 'every rule evaluated once' },
    );
    expect(rules.map((r) => r.name).sort()).toEqual(
      expect.arrayContaining(['StreamrecConsumerLagGrowing', 'StreamrecDeadLetterRateHigh', 'StreamrecEngineDown', 'StreamrecFreshnessHigh']),
    );
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);
  });
});

describe('the engine /metrics', () => {
  it('passes promtool check metrics without a single complaint', async () => {
    const text = await (await fetch(need(engine, 'engine').metricsUrl)).text();
    expect(text).toContain('rec_events_consumed_total');
    const { code, output } = await promtoolCheckMetrics(text);
    expect(output).toBe('');
    expect(code).toBe(0);
  });
});

function promtoolCheckMetrics(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error('promtool not found on PATH: install Debian\'s prometheus package (apt-get install -y prometheus)') : error),
    );
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}
