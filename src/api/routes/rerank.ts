import type { FastifyInstance } from 'fastify';
import { rerank } from '../../domain/rerank.ts';
import type { FeedReader } from '../../ports/feed-reader.ts';
import { errorSchema, rerankBodySchema, rerankResponseSchema } from '../openapi.ts';

interface RerankBody {
  readonly query?: string;
  readonly session_id: string;
  readonly items: readonly string[];
}

export function rerankRoutes(app: FastifyInstance, reader: FeedReader): void {
  app.post<{ Body: RerankBody }>(
    '/v1/rerank',
    {
      config: { access: 'full' },
      schema: {
        summary: "Reorders up to 200 items for a shopper from the session's current list and recent items",
        description:
          "Items in the session's current feed come first, in the ranker's order; then items of the session itself, newest first; then items the engine knows nothing about, in the order given. Reads Redis only.",
        tags: ['rerank'],
        body: rerankBodySchema,
        response: { 200: rerankResponseSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 503: errorSchema },
      },
    },
    async (request) => {
      const { session_id: sessionId, items, query } = request.body;
      // Both reads go out at once on the one connection; each is bounded by the reader's timeout.
      const [feed, session] = await Promise.all([reader.readFeed(`s:${sessionId}`), reader.readSession(sessionId)]);
      const details = rerank(items, feed, session?.lastItems ?? []);
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
