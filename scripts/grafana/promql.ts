/**
 * Metric names a PromQL expression selects, found lexically: enough for our own expressions (checked
 * against the engine's registry by test/unit/grafana), not a PromQL parser.
 */

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan', 'atan2']);

/** Clauses followed by a parenthesised list of label names, not of expressions. */
const LABEL_LIST = /\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g;

export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // strings: label values, label_replace args
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range and subquery windows, Grafana's $__rate_interval
    .replace(LABEL_LIST, ' ');
  const names = new Set<string>();
  // An identifier not preceded by a digit, dot or `$` (numbers like 1e3, variables) and not a call.
  for (const match of stripped.matchAll(/(?<![\w.$:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![a-zA-Z0-9_:]|\s*\()/g)) {
    const name = match[1];
    if (name !== undefined && !KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}

