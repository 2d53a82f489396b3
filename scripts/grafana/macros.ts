/**
 * What Grafana substitutes into panel queries before they reach a datasource, for running the panels'
 * queries outside Grafana (test/integration/dashboards.test.ts).
 */

/**
 * grafana-clickhouse-datasource's `$__timeFilter(column)`: the panel's time range as whole seconds.
 * Throws on any other macro or variable, so a panel cannot use one the checks do not understand.
 */
export function expandClickHouseMacros(sql: string, fromSeconds: number, toSeconds: number): string {
  const expanded = sql.replace(/\$__timeFilter\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)/g, (_all, column: string) => `${column} >= toDateTime(${Math.floor(fromSeconds)}) AND ${column} <= toDateTime(${Math.floor(toSeconds)})`);
  const left = /\$\{?\w+/.exec(expanded);
  if (left !== null) throw new Error(`unsupported Grafana macro or variable ${left[0]} in:\n${sql}`);
  return expanded;
}

/** Grafana's interval variables in PromQL, replaced by a fixed window. */
export function expandPromVariables(expr: string, window: string): string {
  const expanded = expr.replace(/\$__rate_interval|\$__interval|\$__range/g, window);
  const left = /\$\{?\w+/.exec(expanded);
  if (left !== null) throw new Error(`unsupported Grafana variable ${left[0]} in: ${expr}`);
  return expanded;
}
