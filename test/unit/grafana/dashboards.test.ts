import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BOARDS, DASHBOARDS_DIR } from '../../../scripts/grafana/boards.ts';
import { SCHEMA_VERSION, render, type QueryPanel } from '../../../scripts/grafana/dashboard.ts';
import { CLICKHOUSE, PROMETHEUS } from '../../../scripts/grafana/panels.ts';

const built = BOARDS.map((board) => ({ file: board.file, dashboard: board.build() }));
const queryPanels = (index: number): QueryPanel[] => (built[index]?.dashboard.panels ?? []).filter((p): p is QueryPanel => p.type !== 'row');
const everyPanel = built.flatMap((b, i) => queryPanels(i).map((panel) => ({ board: b.dashboard.uid, panel })));

describe('generated dashboards', () => {
  it.each(built)('grafana/dashboards/$file is what the generator writes (npm run dashboards)', ({ file, dashboard }) => {
    expect(readFileSync(new URL(file, DASHBOARDS_DIR), 'utf8')).toBe(render(dashboard));
  });

  it('keeps the uids links and provisioning rely on', () => {
    expect(built.map((b) => b.dashboard.uid)).toEqual(['streamrec-sre', 'streamrec-analyst', 'streamrec-model']);
    expect(built.map((b) => b.file)).toEqual(['sre.json', 'analyst.json', 'model.json']);
  });

  it('builds the same JSON every time', () => {
    expect(BOARDS.map((b) => render(b.build()))).toEqual(built.map((b) => render(b.dashboard)));
  });

  it.each(built)('$file has schema version 39, unique panel ids and titles, and fits the 24-column grid', ({ dashboard }) => {
    expect(dashboard.schemaVersion).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(39);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const titles = dashboard.panels.map((p) => p.title);
    expect(new Set(titles).size).toBe(titles.length);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      expect(panel.gridPos.w, panel.title).toBeGreaterThan(0);
    }
  });

  it.each(built)('$file has no two panels on the same grid cells', ({ dashboard }) => {
    const cells = new Set<string>();
    for (const { gridPos: g, title } of dashboard.panels) {
      for (let x = g.x; x < g.x + g.w; x += 1) {
        for (let y = g.y; y < g.y + g.h; y += 1) {
          const cell = `${x},${y}`;
          expect(cells.has(cell), `${title} overlaps at ${cell}`).toBe(false);
          cells.add(cell);
        }
      }
    }
  });
});

describe('every panel', () => {
  it.each(everyPanel)('$board / $panel.title has a provisioned datasource, a description and queries on it', ({ panel }) => {
    expect([PROMETHEUS.uid, CLICKHOUSE.uid]).toContain(panel.datasource.uid);
    expect(panel.description.length).toBeGreaterThan(20);
    expect(panel.targets.length).toBeGreaterThan(0);
    for (const target of panel.targets) {
      expect(target.datasource).toEqual(panel.datasource);
      if ('expr' in target) expect(target.expr.trim()).not.toBe('');
      else expect(target.rawSql.trim()).not.toBe('');
    }
    const refIds = panel.targets.map((t) => t.refId);
    expect(new Set(refIds).size).toBe(refIds.length);
  });

  it('uses the datasource uids and types that provisioning defines', () => {
    const file = new URL('../../../grafana/provisioning/datasources/streamrec.yaml', import.meta.url);
    const doc = parse(readFileSync(file, 'utf8')) as { datasources: { uid: string; type: string }[] };
    const provisioned = doc.datasources.map((d) => ({ type: d.type, uid: d.uid }));
    expect(provisioned).toContainEqual(PROMETHEUS);
    expect(provisioned).toContainEqual(CLICKHOUSE);
  });

  it('includes both Prometheus and ClickHouse panels on the SRE and model boards, ClickHouse only on the analyst board', () => {
    const kinds = (i: number): string[] => [...new Set(queryPanels(i).map((p) => p.datasource.uid))].sort();
    expect(kinds(0)).toEqual([CLICKHOUSE.uid, PROMETHEUS.uid]);
    expect(kinds(1)).toEqual([CLICKHOUSE.uid]);
    expect(kinds(2)).toEqual([CLICKHOUSE.uid, PROMETHEUS.uid]);
  });
});
