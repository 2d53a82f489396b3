import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configTable } from '../../../scripts/docs/config-table.ts';
import { metricsTable } from '../../../scripts/docs/metrics-table.ts';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('README stays true to the code', () => {
  it('holds the configuration table generated from the config schema', () => {
    expect(readme).toContain(configTable());
  });

  it('holds the metrics table generated from the prom-client registry', async () => {
    expect(readme).toContain(await metricsTable());
  });

  it('has a quick start of exactly the two commands', () => {
    const quick = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(quick?.trim().split('\n')).toEqual(['npm run demo', 'npm test']);
  });
});

describe('Grafana provisioning', () => {
  it('defines a Prometheus and a ClickHouse datasource with stable uids', () => {
    const doc = parse(readFileSync(new URL('../../../grafana/provisioning/datasources/streamrec.yaml', import.meta.url), 'utf8')) as {
      apiVersion: number;
      datasources: { uid: string; type: string }[];
    };
    expect(doc.apiVersion).toBe(1);
    expect(doc.datasources.map((d) => [d.uid, d.type])).toEqual([
      ['streamrec-prometheus', 'prometheus'],
      ['streamrec-clickhouse', 'grafana-clickhouse-datasource'],
    ]);
  });

  it('provides dashboards from files', () => {
    const doc = parse(readFileSync(new URL('../../../grafana/provisioning/dashboards/streamrec.yaml', import.meta.url), 'utf8')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(doc.providers[0]?.type).toBe('file');
    expect(doc.providers[0]?.options.path.length).toBeGreaterThan(0);
  });
});
