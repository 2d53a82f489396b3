import { createServer, type Server, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/adapters/log/pino.ts';
import { createKafka } from '../../../src/adapters/kafka/client.ts';
import { KafkaPublisher } from '../../../src/adapters/kafka/producer.ts';
import { RedisFeedReader } from '../../../src/adapters/redis/feed-reader.ts';
import { buildApi } from '../../../src/api/server.ts';
import type { Config } from '../../../src/config/config.ts';
import { checkEvent } from '../../../src/domain/event-validator.ts';
import { startEngine, type RunningEngine } from '../../../src/engine.ts';
import { cleanup } from '../../helpers/cleanup.ts';
import { testConfig } from '../../helpers/engine-config.ts';
import { waitFor } from '../../helpers/wait-for.ts';

const KEY = 'integration-key-123';
const T0 = Date.UTC(2026, 0, 10, 12);
let seq = 0;
const view = (session: string, item: string, ts: number, category = 'c1') => ({ event_id: `api-${(seq += 1)}`, type: 'view', ts, session_id: session, item_id: item, category_id: category });

describe('Feed API on real Kafka and Redis, with the engine running', () => {
  let config: Config;
  let engine: RunningEngine;
  let app: FastifyInstance;
  let reader: RedisFeedReader;
  let publisher: KafkaPublisher;

  beforeAll(async () => {
    config = testConfig('api', { STREAMREC_API_KEYS: KEY, STREAMREC_KAFKA_PARTITIONS: '2' }).config;
    engine = await startEngine(config, createLogger({ level: 'warn' }));
    reader = new RedisFeedReader({ url: config.redis.url, keyPrefix: config.redis.keyPrefix, timeoutMs: config.api.readTimeoutMs });
    publisher = new KafkaPublisher(createKafka(config.kafka, createLogger({ level: 'warn' }), '-api'));
    app = await buildApi({ config: config.api, eventsTopic: config.kafka.eventsTopic, feeds: reader, publisher, checkEvent });
  });

  afterAll(async () => {
    await app?.close();
    await reader?.close();
    await publisher?.close();
    await engine?.stop();
    if (config !== undefined) await cleanup(config);
  });

  it('takes beacons through POST /v1/events, and serves the list the engine built from them', async () => {
    const headers = { 'x-api-key': KEY };
    const training = [];
    for (let s = 0; s < 20; s += 1) training.push(view(`train-${s}`, 'phone', T0 + s * 1000), view(`train-${s}`, 'case', T0 + s * 1000 + 500, 'c2'));
    const accepted = await app.inject({ method: 'POST', url: '/v1/events', headers, payload: training });
    expect(accepted.statusCode).toBe(202);
    expect(accepted.json()).toEqual({ accepted: 40 });
    const invalid = await app.inject({ method: 'POST', url: '/v1/events', headers, payload: [{ ...view('x', 'y', T0), type: 'teleport' }] });
    expect(invalid.statusCode).toBe(400);

    const missing = await app.inject({ url: '/v1/feeds/s:shopper', headers });
    expect(missing.statusCode).toBe(404);
    await app.inject({ method: 'POST', url: '/v1/events', headers, payload: view('shopper', 'phone', T0 + 60_000) });
    const feed = await waitFor(
      async () => app.inject({ url: '/v1/feeds/s:shopper?n=5', headers }),
      (response) => response.statusCode === 200,
      { what: 'the shopper feed through the API' },
    );
    const body = feed.json();
    expect(body.items[0].item_id).toBe('case');
    expect(body.items.length).toBeLessThanOrEqual(5);
    expect(body.recommendation_id).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    for (const item of body.items) expect(item.reason).toMatchObject({ type: expect.any(String), text: expect.any(String) });
    const inC2 = (await app.inject({ url: '/v1/feeds/s:shopper?category=c2', headers })).json();
    expect(inC2.items.map((i: { item_id: string }) => i.item_id)).toContain('case');
    expect(inC2.items.every((i: { category_id?: string }) => i.category_id === 'c2')).toBe(true);

    // Rerank from the same session state: the feed's item first, the viewed phone next, unknown items last.
    const reranked = (await app.inject({ method: 'POST', url: '/v1/rerank', headers, payload: { session_id: 'shopper', items: ['unknown-1', 'phone', 'case'] } })).json();
    expect(reranked.items).toEqual(['case', 'phone', 'unknown-1']);
  });

  it('fails a read fast with 503 when Redis does not answer, instead of waiting', async () => {
    // A server that accepts connections and never replies: the worst case for a client without a timeout.
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const stuck = new RedisFeedReader({ url: `redis://127.0.0.1:${port}`, keyPrefix: config.redis.keyPrefix, timeoutMs: 100 });
    const api = await buildApi({ config: config.api, eventsTopic: config.kafka.eventsTopic, feeds: stuck, publisher, checkEvent });
    try {
      const started = Date.now();
      const response = await api.inject({ url: '/v1/feeds/s:shopper', headers: { 'x-api-key': KEY } });
      const took = Date.now() - started;
      expect(response.statusCode).toBe(503);
      expect(response.json().error).toMatchObject({ code: 'REC_REDIS', retriable: true });
      expect(took).toBeLessThan(1500);
    } finally {
      await api.close();
      stuck.close().catch(() => undefined);
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
