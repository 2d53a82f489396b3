import { describe, expect, it } from 'vitest';
import { expandClickHouseMacros, expandPromVariables } from '../../../scripts/grafana/macros.ts';
import { metricNames } from '../../../scripts/grafana/promql.ts';
import { tableNames } from '../../../scripts/grafana/queries.ts';
import { sql } from '../../../scripts/grafana/panels.ts';

describe('metricNames', () => {
  it('finds selectors and skips functions, label lists, matchers, windows and numbers', () => {
    expect(metricNames('histogram_quantile(0.99, sum by (le, from) (rate(rec_freshness_seconds_bucket{from="event_time"}[$__rate_interval])))')).toEqual(['rec_freshness_seconds_bucket']);
    expect(metricNames('sum(rate(a_total[5m])) / sum(rate(b_total[5m])) > 0.05')).toEqual(['a_total', 'b_total']);
    expect(metricNames('x > 1e3 and on (job) y unless ignoring (le) z or vector(0)')).toEqual(['x', 'y', 'z']);
    expect(metricNames('up{job="streamrec"} == 0')).toEqual(['up']);
    expect(metricNames('time() - max(rec_process_start_time_seconds)')).toEqual(['rec_process_start_time_seconds']);
    expect(metricNames('label_replace(m, "dst", "$1", "src", "(.*)")')).toEqual(['m']);
  });
});

describe('tableNames', () => {
  it('reads FROM and JOIN targets, not subqueries or ARRAY JOIN columns', () => {
    const query = 'SELECT a FROM (SELECT a FROM t1 FINAL ARRAY JOIN items AS item) ANY LEFT JOIN t2 USING a WHERE a IN (SELECT a FROM t3)';
    expect(tableNames(query)).toEqual(['t1', 't2', 't3']);
  });
});

describe('Grafana macro expansion', () => {
  it('expands $__timeFilter to whole seconds like grafana-clickhouse-datasource', () => {
    expect(expandClickHouseMacros('WHERE $__timeFilter(minute) AND x', 10.7, 20)).toBe('WHERE minute >= toDateTime(10) AND minute <= toDateTime(20) AND x');
  });

  it('refuses macros it does not know', () => {
    expect(() => expandClickHouseMacros('WHERE $__dateFilter(d)', 0, 1)).toThrow(/unsupported/);
    expect(() => expandPromVariables('rate(x[$__rate_interval]) * $foo', '30s')).toThrow(/\$foo/);
  });

  it('replaces interval variables in PromQL', () => {
    expect(expandPromVariables('rate(x[$__rate_interval])', '30s')).toBe('rate(x[30s])');
  });
});

describe('sql tag', () => {
  it('drops the common indentation and blank edges', () => {
    expect(sql`
        SELECT 1
        FROM t
          WHERE ${'x'} = ${2}
      `).toBe('SELECT 1\nFROM t\n  WHERE x = 2');
  });
});
