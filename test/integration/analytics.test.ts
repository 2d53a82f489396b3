import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedQueries } from '../helpers/analytics-queries.ts';
import { startObservedEngine, type ObservedEngine } from '../helpers/observed-engine.ts';

const queries = documentedQueries();

describe('docs/analytics.md on a real ClickHouse filled by a replay', () => {
  let engine: ObservedEngine;
  const results = new Map<string, Record<string, unknown>[]>();

  beforeAll(async () => {
    engine = await startObservedEngine();
  }, 240_000);

  afterAll(async () => {
    const out = process.env['ANALYTICS_SAMPLE_OUT'];
    if (out !== undefined && out !== '') writeFileSync(out, JSON.stringify({ live: engine?.live, replay: engine?.replay.produced, results: Object.fromEntries(results) }, null, 2));
    await engine?.stop();
  }, 60_000);

  it('documents at least ten queries', () => {
    expect(queries.length).toBeGreaterThanOrEqual(10);
  });

  it.each(queries)('$title', async ({ title, sql }) => {
    const rows = await engine.query(sql);
    results.set(title, rows.slice(0, 10));
    expect(rows.length, `${title} returned no rows`).toBeGreaterThan(0);
  });

  it('attributes real next items that were on the served list as clicks, and counts them by source', async () => {
    expect(engine.live.clicks).toBeGreaterThan(0);
    const rows = await engine.query(queries[0]?.sql ?? '');
    const clicks = rows.reduce((sum, row) => sum + Number(row['clicks'] ?? 0), 0);
    expect(clicks).toBe(engine.live.clicks);
  });

  it('reports a live HR@20 between 0 and 100 from the engine’s own evaluation', async () => {
    const rows = await engine.query(queries.find((q) => q.title.includes('Online HR@20'))?.sql ?? '');
    const predictions = rows.reduce((sum, row) => sum + Number(row['scored_steps'] ?? 0), 0);
    expect(predictions).toBeGreaterThan(0);
    for (const row of rows) {
      expect(Number(row['hr_at_20_percent'])).toBeGreaterThanOrEqual(0);
      expect(Number(row['hr_at_20_percent'])).toBeLessThanOrEqual(100);
    }
  });

  it('keeps every dead letter with its reason', async () => {
    const rows = await engine.query(queries.find((q) => q.title.startsWith('7.'))?.sql ?? '');
    const letters = rows.reduce((sum, row) => sum + Number(row['records'] ?? 0), 0);
    expect(letters).toBe(engine.replay.produced.invalid);
    for (const row of rows) expect(String(row['reason'])).toMatch(/^REC_[A-Z_]+$/);
  });
});
