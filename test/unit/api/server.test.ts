import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApi } from '../../../src/api/server.ts';
import { checkEvent } from '../../../src/domain/event-validator.ts';
import { RecError } from '../../../src/errors.ts';
import { apiConfig, feedOf, FULL_KEY, MemoryFeedReader, PUBLIC_KEY, RecordingPublisher } from './helpers/fakes.ts';

const TS = Date.UTC(2026, 0, 10, 12);
const view = (id: string, session = 's-1', item = 'i-1') => ({ event_id: id, type: 'view', ts: TS, session_id: session, item_id: item });

describe('Feed API (in memory, fastify.inject)', () => {
  let app: FastifyInstance;
  let feeds: MemoryFeedReader;
  let publisher: RecordingPublisher;
  const full = { 'x-api-key': FULL_KEY };

  async function start(overrides: Record<string, string> = {}): Promise<void> {
    await app?.close();
    app = await buildApi({ config: apiConfig(overrides), eventsTopic: 'events', feeds, publisher, checkEvent });
  }

  beforeEach(async () => {
    feeds = new MemoryFeedReader();
    publisher = new RecordingPublisher();
    feeds.feeds.set(
      's:s-1',
      feedOf([
        { item_id: 'a', score: 3, source: 'covisit', category_id: 'c1', reason: { type: 'viewed', evidence: { item_id: 'x', via: 'covisit' }, text: 'Because you viewed x' } },
        { item_id: 'b', score: 2, source: 'trending_category', category_id: 'c2' },
        { item_id: 'c', score: 1, source: 'popular' },
      ]),
    );
    await start();
  });
  afterEach(async () => {
    await app.close();
  });

  it('refuses /v1 without a key or with an unknown one, and the public key on rerank', async () => {
    expect((await app.inject({ url: '/v1/feeds/s:s-1' })).statusCode).toBe(401);
    const wrong = await app.inject({ url: '/v1/feeds/s:s-1', headers: { 'x-api-key': 'nope-nope-nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: { code: 'REC_AUTH' } });
    expect((await app.inject({ url: '/v1/feeds/s:s-1', headers: { 'x-api-key': PUBLIC_KEY } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/feeds/s:s-1?api_key=' + PUBLIC_KEY })).statusCode).toBe(200);
    const rerank = await app.inject({ method: 'POST', url: '/v1/rerank', headers: { 'x-api-key': PUBLIC_KEY }, payload: { session_id: 's-1', items: ['a'] } });
    expect(rerank.statusCode).toBe(403);
    expect((await app.inject({ url: '/docs/json' })).statusCode).toBe(200);
  });

  it('serves a feed with the list id and a reason per item, generic for items stored without one', async () => {
    const response = await app.inject({ url: '/v1/feeds/s:s-1', headers: full });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.recommendation_id).toBe('rec-1');
    expect(body.feed_id).toBe('s:s-1');
    expect(body.items.map((i: { item_id: string }) => i.item_id)).toEqual(['a', 'b', 'c']);
    expect(body.items[0].reason).toEqual({ type: 'viewed', evidence: { item_id: 'x', via: 'covisit' }, text: 'Because you viewed x' });
    expect(body.items[1].reason).toEqual({ type: 'popular', evidence: {}, text: 'Popular with shoppers' });
  });

  it('applies n and category at read time', async () => {
    expect((await app.inject({ url: '/v1/feeds/s:s-1?n=2', headers: full })).json().items).toHaveLength(2);
    const filtered = (await app.inject({ url: '/v1/feeds/s:s-1?category=c2', headers: full })).json();
    expect(filtered.items.map((i: { item_id: string }) => i.item_id)).toEqual(['b']);
    await start({ STREAMREC_API_DEFAULT_N: '1' });
    expect((await app.inject({ url: '/v1/feeds/s:s-1', headers: full })).json().items).toHaveLength(1);
    expect((await app.inject({ url: '/v1/feeds/s:s-1?n=0', headers: full })).statusCode).toBe(400);
    expect((await app.inject({ url: '/v1/feeds/x:s-1', headers: full })).statusCode).toBe(400);
  });

  it('answers 404 with a clear body when there is no list, 503 when the store fails', async () => {
    const missing = await app.inject({ url: '/v1/feeds/u:nobody', headers: full });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'REC_NOT_FOUND', message: expect.stringContaining('no feed for u:nobody'), retriable: false } });
    feeds.failWith = new RecError('REC_REDIS', 'Redis read feed failed', { retriable: true });
    const down = await app.inject({ url: '/v1/feeds/s:s-1', headers: full });
    expect(down.statusCode).toBe(503);
    expect(down.json().error).toMatchObject({ code: 'REC_REDIS', retriable: true });
  });

  it('answers an unexpected failure with a 500 body and logs it', async () => {
    const logged: object[] = [];
    const logger = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: (obj: object) => void logged.push(obj) };
    await app.close();
    app = await buildApi({ config: apiConfig(), eventsTopic: 'events', feeds, publisher, checkEvent, logger });
    feeds.failWith = new Error('boom');
    const response = await app.inject({ url: '/v1/feeds/s:s-1', headers: full });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: { code: 'REC_DATA', message: 'internal error', retriable: false } });
    expect(logged).toEqual([expect.objectContaining({ err: 'boom', url: '/v1/feeds/s:s-1' })]);
  });

  it('produces one event or a batch keyed by session id', async () => {
    const one = await app.inject({ method: 'POST', url: '/v1/events', headers: { 'x-api-key': PUBLIC_KEY }, payload: view('e1') });
    expect(one.statusCode).toBe(202);
    expect(one.json()).toEqual({ accepted: 1 });
    const batch = await app.inject({ method: 'POST', url: '/v1/events', headers: full, payload: [view('e2', 's-2'), view('e3', 's-3')] });
    expect(batch.json()).toEqual({ accepted: 2 });
    // A beacon: text/plain body, key in the query string.
    const beacon = await app.inject({ method: 'POST', url: `/v1/events?api_key=${PUBLIC_KEY}`, headers: { 'content-type': 'text/plain;charset=UTF-8' }, payload: JSON.stringify(view('e4', 's-4')) });
    expect(beacon.statusCode).toBe(202);
    expect(publisher.sent.map((s) => s.topic)).toEqual(['events', 'events', 'events']);
    expect(publisher.sent.flatMap((s) => s.messages.map((m) => m.key))).toEqual(['s-1', 's-2', 's-3', 's-4']);
    expect(JSON.parse(String(publisher.sent[1]?.messages[0]?.value))).toEqual(view('e2', 's-2'));
  });

  it('rejects a batch with any invalid event, listing each error by index, and produces nothing', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: full,
      payload: [view('ok'), { event_id: 'bad', type: 'teleport', ts: 'now', session_id: 's' }, { ...view('x'), extra: 1 }],
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error.code).toBe('REC_SCHEMA');
    expect(body.error.details.map((d: { index: number }) => d.index)).toEqual([1, 2]);
    expect(body.error.details[0].errors.length).toBeGreaterThanOrEqual(2);
    expect(body.error.details[0].errors.join(' ')).toMatch(/type/);
    expect(body.error.details[0].errors.join(' ')).toMatch(/ts/);
    expect(body.error.details[1].errors).toEqual(['event: unknown field "extra"']);
    expect(publisher.sent).toEqual([]);
    const notJson = await app.inject({ method: 'POST', url: '/v1/events', headers: { ...full, 'content-type': 'text/plain' }, payload: '{oops' });
    expect(notJson.statusCode).toBe(400);
  });

  it('reranks by search intent first: the seen query\'s list, or for an unseen query the lists of its known words', async () => {
    feeds.sessions.set('s-1', { sessionId: 's-1', userId: null, lastItems: ['old', 'x'], categories: {}, lastSeen: TS });
    feeds.intents.set('q:smart watch', { items: [['w2', 0.6], ['w1', 0.3]], categories: [['watches', 1]] });
    feeds.intents.set('t:watch', { items: [['w1', 0.5], ['w3', 0.5]], categories: [] });
    feeds.intents.set('t:strap', { items: [['s1', 1]], categories: [] });
    const seen = await app.inject({ method: 'POST', url: '/v1/rerank', headers: full, payload: { query: 'Smart-Watch', session_id: 's-1', items: ['u1', 'a', 'w1', 'old', 'w2', 'w3'] } });
    expect(seen.json().items).toEqual(['w2', 'w1', 'a', 'old', 'u1', 'w3']);
    expect(seen.json().details[0]).toEqual({ item_id: 'w2', basis: 'query', query_share: 0.6 });
    // Unseen query: "watch" and "strap" are known words, "band" is not; each known word weighs half (ties keep the given order).
    const unseen = await app.inject({ method: 'POST', url: '/v1/rerank', headers: full, payload: { query: 'watch strap band', session_id: 's-1', items: ['a', 'w3', 's1', 'w1', 'w2'] } });
    expect(unseen.json().items).toEqual(['s1', 'w3', 'w1', 'a', 'w2']);
  });

  it('reranks: feed items in feed order, then session items newest first, then unknown items in the given order', async () => {
    feeds.sessions.set('s-1', { sessionId: 's-1', userId: null, lastItems: ['old', 'x'], categories: {}, lastSeen: TS });
    const response = await app.inject({ method: 'POST', url: '/v1/rerank', headers: full, payload: { query: 'shoes', session_id: 's-1', items: ['u1', 'c', 'old', 'u2', 'a', 'x'] } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.items).toEqual(['a', 'c', 'x', 'old', 'u1', 'u2']);
    expect(body.recommendation_id).toBe('rec-1');
    expect(body.query).toBe('shoes');
    const tooMany = await app.inject({ method: 'POST', url: '/v1/rerank', headers: full, payload: { session_id: 's-1', items: Array.from({ length: 201 }, (_, i) => `i${i}`) } });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.code).toBe('REC_BAD_REQUEST');
  });

  it('publishes an OpenAPI document with every endpoint', async () => {
    const doc = (await app.inject({ url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(['/v1/events', '/v1/feeds/{id}', '/v1/rerank']);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'apiKey', name: 'x-api-key', in: 'header' });
  });

  it('rate-limits per key', async () => {
    await start({ STREAMREC_API_RATE_LIMIT_PER_MINUTE: '3' });
    const codes: number[] = [];
    for (let i = 0; i < 4; i += 1) codes.push((await app.inject({ url: '/v1/feeds/s:s-1', headers: full })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await app.inject({ url: '/v1/feeds/s:s-1', headers: full });
    expect(limited.json().error).toMatchObject({ code: 'REC_RATE_LIMIT', retriable: true });
    // Another key has its own budget; the shared public key is limited per visitor (IP).
    expect((await app.inject({ url: '/v1/feeds/s:s-1', headers: { 'x-api-key': PUBLIC_KEY } })).statusCode).toBe(200);
    const visitor = (ip: string) => app.inject({ url: '/v1/feeds/s:s-1', headers: { 'x-api-key': PUBLIC_KEY }, remoteAddress: ip });
    const first: number[] = [];
    for (let i = 0; i < 4; i += 1) first.push((await visitor('10.0.0.1')).statusCode);
    expect(first).toEqual([200, 200, 200, 429]);
    expect((await visitor('10.0.0.2')).statusCode).toBe(200);
  });

  it('sends CORS headers only for configured origins', async () => {
    const none = await app.inject({ url: '/v1/feeds/s:s-1', headers: { ...full, origin: 'https://shop.example' } });
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
    await start({ STREAMREC_API_CORS_ORIGINS: 'https://shop.example' });
    const allowed = await app.inject({ url: '/v1/feeds/s:s-1', headers: { ...full, origin: 'https://shop.example' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example');
    const other = await app.inject({ url: '/v1/feeds/s:s-1', headers: { ...full, origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await app.inject({ method: 'OPTIONS', url: '/v1/events', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key' } });
    expect(preflight.statusCode).toBe(204);
  });
});
