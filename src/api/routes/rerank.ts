import type { FastifyInstance } from 'fastify';
import { blendIntent, normalizeQuery, queryTokens } from '../../domain/query-intent.ts';
import { rerank } from '../../domain/rerank.ts';
import type { FeedReader } from '../../ports/feed-reader.ts';
import { errorSchema, rerankBodySchema, rerankResponseSchema } from '../openapi.ts';

interface RerankBody {
  readonly query?: string;
  readonly session_id: string;
  readonly items: readonly string[];
}

const ITEMS_LIMIT = 200;

export function rerankRoutes(app: FastifyInstance, reader: FeedReader): void {
  app.post<{ Body: RerankBody }>(
    '/v1/rerank',
    {
      config: { access: 'full' },
      schema: {
        summary: "Reorders up to 200 items for a shopper from the query's intent, the session's current list and recent items",
        description:
          "Items shoppers took after this query come first (most taken first; an unseen query is matched by its known words); then items in the session's current feed, in the ranker's order; then items of the session itself, newest first; then items the engine knows nothing about, in the order given. Reads Redis only.",
        tags: ['rerank'],
        body: rerankBodySchema,
        response: { 200: rerankResponseSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 503: errorSchema },
      },
    },
    async (request) => {
      const { session_id: sessionId, items, query } = request.body;
      // Both reads go out at once on the one connection; each is bounded by the reader's timeout.
      const text = query === undefined ? '' : normalizeQuery(query);
      const tokens = queryTokens(text);
      const keys = text === '' ? [] : [`q:${text}`, ...tokens.map((token) => `t:${token}`)];
      const [feed, session, lists] = await Promise.all([reader.readFeed(`s:${sessionId}`), reader.readSession(sessionId), reader.readIntents(keys)]);
      const [exact = null, ...byToken] = lists;
      // The engine publishes a seen query's blended list; an unseen one is blended here from its tokens.
      const intent = text === '' ? null : exact !== null ? blendIntent(exact, [], ITEMS_LIMIT) : blendIntent(null, byToken.filter((list) => list !== null), ITEMS_LIMIT);
      const details = rerank(items, feed, session?.lastItems ?? [], intent);
      return {
        session_id: sessionId,
        ...(query === undefined ? {} : { query }),
        ...(feed === null ? {} : { recommendation_id: feed.recommendation_id }),
        items: details.map((item) => item.item_id),
        details,
      };
    },
  );
}
