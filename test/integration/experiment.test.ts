import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import type { BehaviourEvent } from '../../src/domain/event.ts';
import { Experiment } from '../../src/domain/experiment.ts';
import type { Feed } from '../../src/domain/feed.ts';
import { mulberry32 } from '../../src/domain/random.ts';
import type { RunningEngine } from '../../src/engine.ts';
import { startTestEngine, stopTestEngine } from '../helpers/test-engine.ts';
import { asRecord, produce } from '../helpers/produce.ts';
import { waitFor } from '../helpers/wait-for.ts';

const T0 = Date.UTC(2026, 0, 10, 12);
const SESSIONS = 200;
const DOC = join(import.meta.dirname, '..', '..', 'docs', 'analytics.md');
const abQuery = (): string => {
  const section = readFileSync(DOC, 'utf8').split(/^### /m).find((part) => part.startsWith('16. A/B test')) ?? '';
  return /```sql\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
};

describe('A/B variants on real Kafka, Redis and ClickHouse', () => {
  let config: Config;
  let engine: RunningEngine;
  let redis: Redis;
  let clickhouse: ClickHouseClient;

  beforeAll(async () => {
    ({ config, engine, redis, clickhouse } = await startTestEngine('ab', { STREAMREC_EXPERIMENT_VARIANTS: 'blend:full:50,covisit:covisit:50', STREAMREC_KAFKA_PARTITIONS: '2' }));
  });

  afterAll(() => stopTestEngine({ config, engine, redis, clickhouse }));

  const rows = async <T>(query: string): Promise<T[]> => (await clickhouse.query({ query, format: 'JSONEachRow' })).json<T>();

  it('assigns sessions stickily, builds each arm its own way, records the arm with lists and attributed events, and reports CTR and conversion with intervals', async () => {
    const experiment = Experiment.fromConfig(config.experiment, config.engine.variant);
    const random = mulberry32(11);
    const events: BehaviourEvent[] = [];
    let id = 0;
    for (let s = 0; s < SESSIONS; s += 1) {
      let ts = T0 + s * 10_000;
      for (let v = 0; v < 4; v += 1) {
        const item = `i${Math.floor(30 * random() ** 2)}`;
        events.push({ event_id: `ab-${(id += 1)}`, type: 'view', ts: (ts += 1000), session_id: `ab-${s}`, item_id: item, category_id: `c${item.length}` });
      }
    }
    await produce(config, events.map(asRecord), 100);
    const feeds = await waitFor(
      async () => Promise.all(Array.from({ length: SESSIONS }, async (_, s) => JSON.parse((await redis.get(`${config.redis.keyPrefix}feed:s:ab-${s}`)) ?? 'null') as Feed | null)),
      (list) => list.every((feed, s) => feed !== null && feed.event_ts === events.filter((e) => e.session_id === `ab-${s}`).at(-1)?.ts),
      { what: 'the final list of every session', timeoutMs: 90_000 },
    );

    // Sticky assignment by hash, about half each; the covisit arm's lists come from co-visitation (padded with trending) only.
    const arms = new Map<string, number>();
    feeds.forEach((feed, s) => {
      const arm = experiment.assign({ sessionId: `ab-${s}`, userId: null });
      expect(feed?.variant).toBe(arm.name);
      arms.set(arm.name, (arms.get(arm.name) ?? 0) + 1);
      if (arm.name === 'covisit') for (const item of feed?.items ?? []) expect(['covisit', 'trending']).toContain(item.source);
    });
    expect(arms.get('blend')).toBeGreaterThan(SESSIONS * 0.35);
    expect(arms.get('covisit')).toBeGreaterThan(SESSIONS * 0.35);
    const blendSources = new Set(feeds.flatMap((feed) => (feed?.variant === 'blend' ? feed.items.map((item) => item.source) : [])));
    expect(blendSources.size).toBeGreaterThan(2);

    // Shoppers act on what they were shown: every 2nd session clicks its list's first item, every 4th also buys it.
    const actions: BehaviourEvent[] = [];
    const expected = new Map<string, { clicked: number; converted: number }>();
    feeds.forEach((feed, s) => {
      const first = feed?.items[0];
      if (feed === null || first === undefined || s % 2 !== 0) return;
      const tally = expected.get(feed.variant) ?? { clicked: 0, converted: 0 };
      const ts = T0 + SESSIONS * 10_000 + s * 100;
      actions.push({ event_id: `ab-click-${s}`, type: 'click', ts, session_id: `ab-${s}`, item_id: first.item_id, recommendation_id: feed.recommendation_id });
      tally.clicked += 1;
      if (s % 4 === 0) {
        actions.push({ event_id: `ab-buy-${s}`, type: 'purchase', ts: ts + 10, session_id: `ab-${s}`, item_id: first.item_id, recommendation_id: feed.recommendation_id });
        tally.converted += 1;
      }
      expected.set(feed.variant, tally);
    });
    await produce(config, actions.map(asRecord));
    const db = config.clickhouse.database;
    await waitFor(() => rows<{ n: string }>(`SELECT count() AS n FROM ${db}.interactions`), (r) => Number(r[0]?.n) >= actions.length, { what: 'attributed interactions' });

    // Every stored event and every attributed interaction carries its shopper's arm, the arm of the list it acted on.
    const eventArms = await rows<{ session_id: string; variant: string }>(`SELECT DISTINCT session_id, variant FROM ${db}.events`);
    expect(eventArms.length).toBe(SESSIONS);
    for (const row of eventArms) expect(row.variant).toBe(experiment.assign({ sessionId: row.session_id, userId: null }).name);
    const attributed = await rows<{ variant: string; list_variant: string }>(
      `SELECT variant, list_variant FROM (SELECT recommendation_id, variant FROM ${db}.interactions FINAL) ANY INNER JOIN (SELECT recommendation_id, variant AS list_variant FROM ${db}.recommendations FINAL) USING recommendation_id`,
    );
    expect(attributed.length).toBe(actions.length);
    for (const row of attributed) expect(row.variant).toBe(row.list_variant);

    // The documented A/B query: counts match what the shoppers did, and each interval holds its estimate.
    const report = await rows<Record<string, string | number>>(abQuery().replace(/\b(recommendations|interactions|events) FINAL/g, `${db}.$1 FINAL`));
    expect(report.map((r) => r['variant'])).toEqual(['blend', 'covisit']);
    for (const row of report) {
      const variant = String(row['variant']);
      expect(Number(row['clicked_lists'])).toBe(expected.get(variant)?.clicked);
      expect(Number(row['converted_sessions'])).toBe(expected.get(variant)?.converted);
      expect(Number(row['sessions'])).toBe(arms.get(variant));
      for (const [estimate, low, high] of [['ctr_percent', 'ctr_ci95_low', 'ctr_ci95_high'], ['conversion_percent', 'conversion_ci95_low', 'conversion_ci95_high']] as const) {
        expect(Number(row[low])).toBeGreaterThanOrEqual(0);
        expect(Number(row[low])).toBeLessThan(Number(row[estimate]));
        expect(Number(row[high])).toBeGreaterThan(Number(row[estimate]));
        expect(Number(row[high])).toBeLessThanOrEqual(100);
      }
    }
    process.stdout.write(`A/B report: ${JSON.stringify(report)}\n`);
  });
});
