import type { FastifyInstance } from 'fastify';
import type { Feed, FeedItem, Reason } from '../../domain/feed.ts';
import { RecError } from '../../errors.ts';
import type { FeedReader } from '../../ports/feed-reader.ts';
import { errorSchema, feedResponseSchema, ID_PATTERN } from '../openapi.ts';

/** What a list written before reasons existed says about each item: nothing it cannot back. */
export const GENERIC_REASON: Reason = { type: 'popular', evidence: {}, text: 'Popular with shoppers' };

export interface FeedQuery {
  readonly n?: number;
  readonly category?: string;
}

/** The feed as served: filters applied at read time, every item with a reason. */
export function serveFeed(feedId: string, feed: Feed, query: FeedQuery, defaultN: number) {
  const n = query.n ?? defaultN;
  const items: FeedItem[] = [];
  for (const item of feed.items) {
    if (items.length >= n) break;
    if (query.category !== undefined && item.category_id !== query.category) continue;
    items.push({ ...item, reason: item.reason ?? GENERIC_REASON });
  }
  return {
    feed_id: feedId,
    recommendation_id: feed.recommendation_id,
    variant: feed.variant,
    model_version: feed.model_version,
    generated_at: feed.generated_at,
    event_ts: feed.event_ts,
    items,
  };
}

export function feedRoutes(app: FastifyInstance, reader: FeedReader, defaultN: number): void {
  app.get<{ Params: { id: string }; Querystring: FeedQuery }>(
    '/v1/feeds/:id',
    {
      config: { access: 'public' },
      schema: {
        summary: 'The current ranked list of a session (s:<session_id>) or a known user (u:<user_id>)',
        tags: ['feeds'],
        params: { type: 'object', properties: { id: { type: 'string', pattern: `^[su]:${ID_PATTERN.slice(1)}`, description: 's:<session_id> or u:<user_id>' } }, required: ['id'] },
        querystring: {
          type: 'object',
          properties: {
            n: { type: 'integer', minimum: 1, maximum: 200, description: `Items to return (default api.defaultN)` },
            category: { type: 'string', pattern: ID_PATTERN, description: 'Only items of this category' },
            api_key: { type: 'string' },
          },
        },
        response: { 200: feedResponseSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema, 503: errorSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const feed = await reader.readFeed(id);
      if (feed === null) throw new RecError('REC_NOT_FOUND', `no feed for ${id}: the engine has not built a list for this ${id.startsWith('s:') ? 'session' : 'user'} yet, or it expired`);
      return serveFeed(id, feed, request.query, defaultN);
    },
  );
}
