import type { ClickHouseTarget, DataSourceRef, PanelSpec, PanelType, PrometheusTarget } from './dashboard.ts';

/** The uids grafana/provisioning/datasources/streamrec.yaml gives the two datasources. */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: 'streamrec-prometheus' };
export const CLICKHOUSE: DataSourceRef = { type: 'grafana-clickhouse-datasource', uid: 'streamrec-clickhouse' };

/**
 * Grafana's rate window: at least four scrape intervals (the datasource's `timeInterval`), so a rate
 * never rests on a single pair of samples.
 */
export const RATE = '$__rate_interval';

export interface PromQuery {
  readonly expr: string;
  readonly legend: string;
}

interface Common {
  readonly title: string;
  /** Why the panel exists and how to read it; Grafana shows it as the panel's (i) tooltip. */
  readonly description: string;
  /** Grafana unit id: `s`, `bytes`, `ops`, `percentunit`, `short`, `none`. */
  readonly unit?: string;
  readonly w?: number;
  readonly h?: number;
  /** Units of single columns, by name, over `unit`: a table's ratio column beside its counts. */
  readonly columnUnits?: Readonly<Record<string, string>>;
  /** Merged over the panel type's default options, e.g. `{ textMode: 'name' }` for a stat showing a label. */
  readonly options?: Readonly<Record<string, unknown>>;
}

const DEFAULT_W = 12;
const DEFAULT_H = 8;
const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function options(type: PanelType): Record<string, unknown> {
  switch (type) {
    case 'timeseries':
      return { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } };
    case 'stat':
      return { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' };
    case 'table':
      return { showHeader: true, cellHeight: 'sm' };
  }
}

function fieldDefaults(type: PanelType, unit: string | undefined): Record<string, unknown> {
  const defaults: Record<string, unknown> = { unit: unit ?? 'short' };
  if (type === 'timeseries') defaults['custom'] = { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never', spanNulls: false };
  return defaults;
}

function columnOverrides(units: Readonly<Record<string, string>>): unknown[] {
  return Object.entries(units).map(([name, unit]) => ({ matcher: { id: 'byName', options: name }, properties: [{ id: 'unit', value: unit }] }));
}

function refId(index: number): string {
  const id = REF_IDS[index];
  if (id === undefined) throw new Error(`a panel holds at most ${REF_IDS.length} queries`);
  return id;
}

/** A Prometheus panel: one target per query, legends templated from labels (`{{partition}}`). */
export function promPanel(type: PanelType, common: Common, queries: readonly PromQuery[]): PanelSpec {
  const targets = queries.map(
    (q, i): PrometheusTarget => ({
      datasource: PROMETHEUS,
      refId: refId(i),
      expr: q.expr,
      legendFormat: q.legend,
      editorMode: 'code',
      // Stats and tables show the latest value; a range query would fetch a whole series for nothing.
      range: type === 'timeseries',
      instant: type !== 'timeseries',
    }),
  );
  return panel(type, common, PROMETHEUS, targets);
}

/**
 * A ClickHouse panel from one SQL query. Time series need a DateTime column named `time`, ordered;
 * a String column beside it splits the result into one series per value.
 */
export function clickHousePanel(type: PanelType, common: Common, rawSql: string): PanelSpec {
  const series = type === 'timeseries';
  const target: ClickHouseTarget = {
    datasource: CLICKHOUSE,
    refId: 'A',
    editorType: 'sql',
    queryType: series ? 'timeseries' : 'table',
    format: series ? 0 : 1,
    rawSql,
  };
  return panel(type, common, CLICKHOUSE, [target]);
}

function panel(type: PanelType, common: Common, datasource: DataSourceRef, targets: PanelSpec['targets']): PanelSpec {
  return {
    type,
    title: common.title,
    description: common.description,
    datasource,
    targets,
    fieldConfig: { defaults: fieldDefaults(type, common.unit), overrides: columnOverrides(common.columnUnits ?? {}) },
    options: { ...options(type), ...common.options },
    w: common.w ?? DEFAULT_W,
    h: common.h ?? DEFAULT_H,
  };
}

/**
 * Tag for multi-line SQL in source: drops the common indentation and the blank first and last lines,
 * so the query Grafana shows reads like hand-written SQL.
 */
export function sql(strings: TemplateStringsArray, ...values: readonly (string | number)[]): string {
  const text = strings.reduce((out, part, i) => out + part + (i < values.length ? String(values[i]) : ''), '');
  const lines = text.split('\n');
  while (lines[0]?.trim() === '') lines.shift();
  while (lines.at(-1)?.trim() === '') lines.pop();
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent).trimEnd()).join('\n');
}
