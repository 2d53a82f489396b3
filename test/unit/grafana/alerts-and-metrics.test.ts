import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BOARDS } from '../../../scripts/grafana/boards.ts';
import { metricNames } from '../../../scripts/grafana/promql.ts';
import { panelQueries } from '../../../scripts/grafana/queries.ts';
import { knownSeries } from './known-metrics.ts';

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

const rules = (parse(readFileSync(new URL('../../../prometheus/alerts.yml', import.meta.url), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

// One registry for all cases: each PrometheusMetrics with defaults starts its own event-loop monitor.
const known = knownSeries();

const panelExprs = BOARDS.flatMap((b) => panelQueries(b.build())).flatMap((q) => (q.kind === 'prometheus' ? [{ where: `${q.board} / ${q.panel}`, expr: q.expr }] : []));
const alertExprs = rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }));

describe('PromQL names only metrics the engine registers', () => {
  it.each([...panelExprs, ...alertExprs])('$where', async ({ expr }) => {
    const { series } = await known;
    const names = metricNames(expr);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !series.has(name))).toEqual([]);
  });

  it('every engine metric is on a board or in an alert', async () => {
    const { metrics } = await knownSeries({ engineOnly: true });
    const used = new Set([...panelExprs, ...alertExprs].flatMap((e) => metricNames(e.expr)).map((name) => name.replace(/_(bucket|sum|count)$/, '')));
    expect(metrics.filter((name) => !used.has(name))).toEqual([]);
  });
});

describe('alert rules', () => {
  it('cover engine down, freshness, consumer lag and dead letters', () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['StreamrecEngineDown', 'StreamrecFreshnessHigh', 'StreamrecConsumerLagGrowing', 'StreamrecDeadLetterRateHigh']),
    );
    expect(rules.find((r) => r.alert === 'StreamrecEngineDown')?.expr).toBe('up{job="streamrec"} == 0');
  });

  it.each(rules)('$alert has a severity, a duration, a summary and a description', (rule) => {
    expect(['critical', 'warning']).toContain(rule.labels?.['severity']);
    expect(rule.for).toMatch(/^\d+m$/);
    expect(rule.annotations?.['summary']?.length).toBeGreaterThan(10);
    expect(rule.annotations?.['description']?.length).toBeGreaterThan(20);
  });

  it('each alert has a firing and a quiet case in alerts.test.yml', () => {
    const tests = (parse(readFileSync(new URL('../../../prometheus/alerts.test.yml', import.meta.url), 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
    }).tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const rule of rules) {
      const cases = tests.filter((t) => t.alertname === rule.alert);
      expect(cases.some((t) => (t.exp_alerts ?? []).length > 0), `${rule.alert} fires somewhere`).toBe(true);
      expect(cases.some((t) => (t.exp_alerts ?? []).length === 0), `${rule.alert} stays quiet somewhere`).toBe(true);
    }
  });
});
