import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createClient } from '@clickhouse/client';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/adapters/log/pino.ts';
import { createKafka } from '../../../src/adapters/kafka/client.ts';
import { KafkaPublisher } from '../../../src/adapters/kafka/producer.ts';
import { ScrapedOps } from '../../../src/adapters/metrics/scrape-ops.ts';
import { RedisFeedReader } from '../../../src/adapters/redis/feed-reader.ts';
import { buildApi } from '../../../src/api/server.ts';
import type { Config } from '../../../src/config/config.ts';
import { checkEvent } from '../../../src/domain/event-validator.ts';
import type { BehaviourEvent } from '../../../src/domain/event.ts';
import { startEngine, type RunningEngine } from '../../../src/engine.ts';
import { loadCatalog, type Catalog } from '../../../src/replay/catalog.ts';
import { cleanup } from '../../helpers/cleanup.ts';
import { testConfig } from '../../helpers/engine-config.ts';
import { freePort } from '../../helpers/free-port.ts';
import { asRecord, produce } from '../../helpers/produce.ts';
import { waitFor } from '../../helpers/wait-for.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SHARED = join(ROOT, '..', 'shared', 'data', 'diginetica');
const DATA = existsSync(join(SHARED, 'raw-cikm2016')) ? SHARED : join(ROOT, 'test', 'fixtures', 'diginetica');
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Shoppers who went from each catalogue item to the next two of its category: co-visitation for the page to show. */
function history(catalog: Catalog): BehaviourEvent[] {
  const events: BehaviourEvent[] = [];
  let ts = Date.now() - 600_000;
  let id = 0;
  for (const category of catalog.categories) {
    category.items.forEach((item, i) => {
      for (let s = 0; s < 3; s += 1) {
        const session = `hist-${category.category_id}-${i}-${s}`;
        for (const next of [item, category.items[(i + 1 + s) % category.items.length] ?? item]) {
          events.push({ event_id: `h-${(id += 1)}`, type: 'view', ts: (ts += 50), session_id: session, item_id: next, category_id: category.category_id });
        }
      }
    });
  }
  return events;
}

describe('storefront demo page in headless Chromium (real engine, Kafka, Redis)', () => {
  let config: Config;
  let engine: RunningEngine;
  let app: FastifyInstance;
  let reader: RedisFeedReader;
  let publisher: KafkaPublisher;
  let context: BrowserContext;
  let profile: string;
  let url: string;
  let catalog: Catalog;

  beforeAll(async () => {
    const metricsPort = await freePort();
    config = testConfig('storefront', {
      STREAMREC_METRICS_PORT: String(metricsPort),
      STREAMREC_API_PUBLIC_KEY: 'public-demo-key-1',
      STREAMREC_API_METRICS_URL: `http://127.0.0.1:${metricsPort}/metrics`,
    }).config;
    engine = await startEngine(config, createLogger({ level: 'warn' }));
    catalog = await loadCatalog(DATA);
    const past = history(catalog);
    await produce(config, past.map(asRecord));
    // The engine has caught up with the other shoppers before ours arrives.
    const counter = createClient({ url: config.clickhouse.url });
    await waitFor(
      async () => Number((await (await counter.query({ query: `SELECT count() AS n FROM ${config.clickhouse.database}.events`, format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n ?? 0),
      (n) => n >= past.length,
      { what: 'the other shoppers stored' },
    );
    await counter.close();
    reader = new RedisFeedReader({ url: config.redis.url, keyPrefix: config.redis.keyPrefix, timeoutMs: config.api.readTimeoutMs });
    publisher = new KafkaPublisher(createKafka(config.kafka, createLogger({ level: 'warn' }), '-api'));
    await publisher.connect();
    app = await buildApi({ config: config.api, eventsTopic: config.kafka.eventsTopic, feeds: reader, publisher, checkEvent, catalog, ops: new ScrapedOps(config.api.metricsUrl) });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    profile = mkdtempSync(join(tmpdir(), 'streamrec-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await context?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    await app?.close();
    await reader?.close();
    await publisher?.close();
    await engine?.stop();
    if (config !== undefined) await cleanup(config);
  });

  it('a click on a product changes the "recommended for you" strip within a second, each item with its reason; a strip click is attributed', async () => {
    expect(catalog.categories.length).toBeGreaterThan(0);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.locator('.product').first().waitFor();
    expect(await page.locator('#strip li.empty').count()).toBe(1);

    const first = catalog.categories[0]?.items[0] ?? '';
    const started = Date.now();
    await page.locator(`.product[data-item="${first}"]`).click();
    await page.waitForFunction("document.querySelectorAll('#strip li[data-item]').length > 0", undefined, { timeout: 5000 });
    // Measured by the page itself, from its click handler to the new strip (Playwright's own overhead excluded).
    const firstUpdateMs = Number(await page.locator('#strip').getAttribute('data-click-to-list-ms'));
    const firstWallMs = Date.now() - started;
    const strip1 = await page.locator('#strip li[data-item]').evaluateAll((lis) => lis.map((li) => `${li.getAttribute('data-item')}|${li.getAttribute('data-reason')}`));
    const list1 = await page.locator('#strip').getAttribute('data-recommendation-id');
    // What follows the clicked item for other shoppers, explained by the click itself.
    const reasons1 = await page.locator('#strip .reason').allTextContents();
    expect(reasons1).toContain(`Because you viewed ${first}`);
    expect(firstUpdateMs).toBeLessThan(1000);

    // A second click, on an item of another category: a new list replaces the strip.
    const other = catalog.categories[1]?.items[0] ?? catalog.categories[0]?.items[5] ?? '';
    if (catalog.categories[1] !== undefined) await page.locator(`#categories button[data-category="${catalog.categories[1].category_id}"]`).click();
    const again = Date.now();
    await page.locator(`.product[data-item="${other}"]`).click();
    await page.waitForFunction(`document.querySelector('#strip').getAttribute('data-recommendation-id') !== ${JSON.stringify(list1)}`, undefined, { timeout: 5000 });
    const secondUpdateMs = Number(await page.locator('#strip').getAttribute('data-click-to-list-ms'));
    const secondWallMs = Date.now() - again;
    const strip2 = await page.locator('#strip li[data-item]').evaluateAll((lis) => lis.map((li) => `${li.getAttribute('data-item')}|${li.getAttribute('data-reason')}`));
    expect(strip2).not.toEqual(strip1);
    expect(await page.locator('#strip .reason').allTextContents()).toContain(`Because you viewed ${other}`);
    expect(secondUpdateMs).toBeLessThan(1000);

    // A click in the strip is sent with the list's id: the engine attributes it to that list.
    const list2 = await page.locator('#strip').getAttribute('data-recommendation-id');
    const picked = await page.locator('#strip li[data-item]').first().getAttribute('data-item');
    await page.locator('#strip li[data-item]').first().click();
    const clickhouse = createClient({ url: config.clickhouse.url });
    try {
      const attributed = await waitFor(
        async () =>
          (await clickhouse.query({ query: `SELECT item_id, type, variant FROM ${config.clickhouse.database}.interactions WHERE recommendation_id = '${String(list2).replace(/[^A-Za-z0-9_-]/g, '')}'`, format: 'JSONEachRow' })).json<{ item_id: string; type: string; variant: string }>(),
        (rows) => rows.length > 0,
        { what: 'the strip click attributed in ClickHouse' },
      );
      expect(attributed).toEqual([{ item_id: picked, type: 'click', variant: 'default' }]);
    } finally {
      await clickhouse.close();
    }

    // The ops panel reads the engine's /metrics through the API.
    await page.waitForFunction("(document.querySelector('#ops-fresh')?.textContent ?? '').includes('ms') && (document.querySelector('#ops-rate')?.textContent ?? '').includes('events/s')", undefined, { timeout: 10_000 });
    await page.screenshot({ path: join(ROOT, 'docs', 'storefront.png') });
    expect(errors).toEqual([]);
    process.stdout.write(`click → strip in the page: ${firstUpdateMs} ms (first list), ${secondUpdateMs} ms (second); with Playwright's click: ${firstWallMs} / ${secondWallMs} ms\n`);
  });
});
