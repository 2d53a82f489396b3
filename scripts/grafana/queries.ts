import type { Dashboard } from './dashboard.ts';

export type PanelQuery =
  | { readonly kind: 'prometheus'; readonly board: string; readonly panel: string; readonly expr: string }
  | { readonly kind: 'clickhouse'; readonly board: string; readonly panel: string; readonly sql: string };

/** Every query of every panel of a board, with where it came from, for the checks in test/. */
export function panelQueries(board: Dashboard): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const panel of board.panels) {
    if (panel.type === 'row') continue;
    for (const target of panel.targets) {
      if ('expr' in target) out.push({ kind: 'prometheus', board: board.uid, panel: panel.title, expr: target.expr });
      else out.push({ kind: 'clickhouse', board: board.uid, panel: panel.title, sql: target.rawSql });
    }
  }
  return out;
}

/**
 * Tables a query reads: the names after FROM and JOIN (ARRAY JOIN unfolds a column, not a table),
 * without a database, since panels use the datasource's default one.
 */
export function tableNames(sql: string): string[] {
  const names = new Set<string>();
  for (const match of sql.matchAll(/\b(?:FROM|(?<!\bARRAY\s+)JOIN)\s+([A-Za-z_][A-Za-z0-9_.]*)/gi)) {
    if (match[1] !== undefined) names.add(match[1]);
  }
  return [...names];
}
