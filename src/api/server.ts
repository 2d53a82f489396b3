import { fileURLToPath } from 'node:url';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ApiConfig } from '../config/config.ts';
import type { EventCheck } from '../domain/event-validator.ts';
import { describeError, isRecError, RecError } from '../errors.ts';
import type { Logger } from '../ports/logger.ts';
import type { Catalog } from '../replay/catalog.ts';
import type { EventPublisher } from '../ports/event-publisher.ts';
import type { FeedReader } from '../ports/feed-reader.ts';
import { authenticate, presentedKey } from './auth.ts';
import { errorBody, handleError } from './http-errors.ts';
import { eventRoutes } from './routes/events.ts';
import { feedRoutes } from './routes/feeds.ts';
import type { OpsSource } from '../ports/ops-source.ts';
import { opsRoutes } from './routes/ops.ts';
import { rerankRoutes } from './routes/rerank.ts';
import { userRoutes } from './routes/users.ts';

export const BUNDLED_PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** The ports the Feed API runs on; the composition root (src/api/main.ts) or a test provides them. */
export interface ApiDeps {
  readonly config: ApiConfig;
  readonly eventsTopic: string;
  /** Where forget-user commands go (kafka.commandsTopic); absent: DELETE /v1/users/:id answers 404. */
  readonly commandsTopic?: string;
  readonly feeds: FeedReader;
  readonly publisher: EventPublisher;
  /** The engine's event schema check (src/domain/event-validator.ts). */
  readonly checkEvent: (value: unknown) => EventCheck;
  /** Live figures for the demo's ops panel; absent: GET /v1/ops answers 404. */
  readonly ops?: OpsSource;
  readonly publishTimeoutMs?: number;
  /** The storefront demo's product grid (GET /demo/catalog.json); absent: an empty grid. */
  readonly catalog?: Catalog;
  /** Receives unexpected (500) errors; expected ones are answered with their code and not logged. */
  readonly logger?: Logger;
}

/**
 * Builds (does not start) the Feed API: auth by `x-api-key`, per-key rate limits, CORS from config,
 * the OpenAPI document at /docs/json and the storefront demo at /. Handlers read Redis only, through
 * the feed reader and its timeout; they never wait on the engine.
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, ajv: { customOptions: { removeAdditional: false } } });
  // navigator.sendBeacon sends strings as text/plain: parse them as JSON like application/json.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(String(body)) as unknown);
    } catch {
      done(new RecError('REC_DECODE', 'body is not valid JSON'), undefined);
    }
  });
  app.setErrorHandler((error, request, reply) => {
    const answered = handleError(error, request, reply);
    if (answered.statusCode >= 500 && !isRecError(error)) deps.logger?.error({ err: describeError(error), url: request.url }, 'unexpected API error');
    return answered;
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody('REC_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`)));

  const anyOrigin = config.corsOrigins.includes('*');
  await app.register(cors, {
    origin: anyOrigin ? true : config.corsOrigins.length === 0 ? false : [...config.corsOrigins],
    allowedHeaders: ['content-type', 'x-api-key'],
    methods: ['GET', 'POST', 'OPTIONS'],
  });
  await app.register(rateLimit, {
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    // Full keys each get a budget; the public key is shared by every visitor of the demo page, so it is
    // limited per visitor (IP) instead, and so is a request without a key.
    keyGenerator: (request) => {
      const key = presentedKey(request);
      return key === null || key === config.publicKey ? `ip:${request.ip}` : `key:${key}`;
    },
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      ...errorBody('REC_RATE_LIMIT', `rate limit of ${context.max} requests per minute exceeded; retry in ${Math.ceil(context.ttl / 1000)} s`, undefined, true),
    }),
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'streamrec Feed API', version: '1.0.0', description: 'Ranked feeds from Redis, event intake to Kafka, and reranking for one shopper.' },
      components: { securitySchemes: { apiKey: { type: 'apiKey', name: 'x-api-key', in: 'header' } } },
      security: [{ apiKey: [] }],
    },
  });
  app.addHook('onRequest', authenticate({ keys: config.keys, publicKey: config.publicKey }));

  app.get('/docs/json', { config: { access: 'open' }, schema: { hide: true } }, () => app.swagger());
  app.get('/healthz', { config: { access: 'open' }, schema: { hide: true } }, () => ({ ok: true }));
  app.get('/demo-config.json', { config: { access: 'open' }, schema: { hide: true } }, () => ({ publicKey: config.publicKey, defaultN: config.defaultN }));
  app.get('/demo/catalog.json', { config: { access: 'open' }, schema: { hide: true } }, () => deps.catalog ?? { categories: [] });
  feedRoutes(app, deps.feeds, config.defaultN);
  eventRoutes(app, deps.publisher, deps.checkEvent, { topic: deps.eventsTopic, maxBatch: config.maxBatchEvents, publishTimeoutMs: deps.publishTimeoutMs ?? 5000 });
  rerankRoutes(app, deps.feeds);
  if (deps.commandsTopic !== undefined) userRoutes(app, deps.publisher, { topic: deps.commandsTopic, publishTimeoutMs: deps.publishTimeoutMs ?? 5000, now: Date.now });
  if (deps.ops !== undefined) opsRoutes(app, deps.ops);
  await app.register(fastifyStatic, { root: config.publicDir === '' ? BUNDLED_PUBLIC_DIR : config.publicDir, prefix: '/' });
  return app;
}
