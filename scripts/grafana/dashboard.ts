/**
 * The slice of Grafana's dashboard JSON model (schemaVersion 39) that streamrec's boards use, and the
 * function that lays panels out on the 24-column grid. Typed by hand instead of pulling in
 * @grafana/grafana-foundation-sdk: three boards of plain time series, stats and tables need little.
 */

export const SCHEMA_VERSION = 39;

export interface DataSourceRef {
  readonly type: string;
  readonly uid: string;
}

/** Query of Grafana's built-in Prometheus datasource. */
export interface PrometheusTarget {
  readonly datasource: DataSourceRef;
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
  readonly editorMode: 'code';
  readonly range: boolean;
  readonly instant: boolean;
}

/** Query of the grafana-clickhouse-datasource plugin (v4): raw SQL, `format` 0 = time series, 1 = table. */
export interface ClickHouseTarget {
  readonly datasource: DataSourceRef;
  readonly refId: string;
  readonly editorType: 'sql';
  readonly queryType: 'timeseries' | 'table';
  readonly format: 0 | 1;
  readonly rawSql: string;
}

export type Target = PrometheusTarget | ClickHouseTarget;

export interface GridPos {
  readonly h: number;
  readonly w: number;
  readonly x: number;
  readonly y: number;
}

export type PanelType = 'timeseries' | 'stat' | 'table';

export interface QueryPanel {
  readonly id: number;
  readonly type: PanelType;
  readonly title: string;
  readonly description: string;
  readonly datasource: DataSourceRef;
  readonly gridPos: GridPos;
  readonly targets: readonly Target[];
  readonly fieldConfig: { readonly defaults: Readonly<Record<string, unknown>>; readonly overrides: readonly unknown[] };
  readonly options: Readonly<Record<string, unknown>>;
}

export interface RowPanel {
  readonly id: number;
  readonly type: 'row';
  readonly title: string;
  readonly collapsed: false;
  readonly gridPos: GridPos;
  readonly panels: readonly [];
}

export type Panel = QueryPanel | RowPanel;

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly schemaVersion: number;
  readonly version: number;
  readonly editable: boolean;
  readonly graphTooltip: number;
  readonly timezone: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh: string;
  readonly fiscalYearStartMonth: number;
  readonly liveNow: boolean;
  readonly links: readonly [];
  readonly annotations: { readonly list: readonly unknown[] };
  readonly templating: { readonly list: readonly [] };
  readonly panels: readonly Panel[];
}

/** A panel before layout: its width and height in grid units; id and position are given by `dashboard`. */
export type PanelSpec = Omit<QueryPanel, 'id' | 'gridPos'> & { readonly w: number; readonly h: number };

/** A section heading: starts a new grid line. */
export interface RowSpec {
  readonly type: 'row';
  readonly title: string;
}

export const row = (title: string): RowSpec => ({ type: 'row', title });

const GRID_COLUMNS = 24;

const BUILT_IN_ANNOTATIONS = {
  builtIn: 1,
  datasource: { type: 'grafana', uid: '-- Grafana --' },
  enable: true,
  hide: true,
  iconColor: 'rgba(0, 211, 255, 1)',
  name: 'Annotations & Alerts',
  type: 'dashboard',
};

export interface DashboardOptions {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly time?: { readonly from: string; readonly to: string };
}

/**
 * Builds a dashboard, numbering panels 1.. in order and flowing them left to right, wrapping at 24
 * columns. Ids and positions are derived, never written by hand, so the generated JSON only changes
 * where a panel really did.
 */
export function dashboard(options: DashboardOptions, items: readonly (PanelSpec | RowSpec)[]): Dashboard {
  const panels: Panel[] = [];
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  const newLine = (): void => {
    y += lineHeight;
    x = 0;
    lineHeight = 0;
  };
  for (const item of items) {
    const id = panels.length + 1;
    if (item.type === 'row') {
      if (x > 0) newLine();
      panels.push({ id, type: 'row', title: item.title, collapsed: false, gridPos: { h: 1, w: GRID_COLUMNS, x: 0, y }, panels: [] });
      lineHeight = 1;
      newLine();
      continue;
    }
    const { w, h, ...rest } = item;
    if (x + w > GRID_COLUMNS) newLine();
    panels.push({ id, ...rest, gridPos: { h, w, x, y } });
    x += w;
    lineHeight = Math.max(lineHeight, h);
  }
  return {
    uid: options.uid,
    title: options.title,
    description: options.description,
    tags: options.tags,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    editable: true,
    graphTooltip: 1,
    timezone: 'browser',
    time: options.time ?? { from: 'now-6h', to: 'now' },
    refresh: '30s',
    fiscalYearStartMonth: 0,
    liveNow: false,
    links: [],
    annotations: { list: [BUILT_IN_ANNOTATIONS] },
    templating: { list: [] },
    panels,
  };
}

/** The committed file's text: two-space JSON with a final newline, so `git diff` stays readable. */
export const render = (board: Dashboard): string => `${JSON.stringify(board, null, 2)}\n`;
