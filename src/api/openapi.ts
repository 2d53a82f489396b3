/** JSON Schemas of the Feed API's requests and responses: fastify validates and serialises with them, and they are the OpenAPI document. */
export const ID_PATTERN = '^[A-Za-z0-9._:-]{1,128}$';

export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        retriable: { type: 'boolean' },
        details: { type: 'array', items: {} },
      },
      required: ['code', 'message', 'retriable'],
    },
  },
  required: ['error'],
} as const;

export const reasonSchema = {
  type: 'object',
  description: 'Why the item is in the list, as computed by the engine when it built the list.',
  properties: {
    type: { type: 'string', enum: ['promoted', 'viewed', 'viewed_earlier', 'bought_together', 'searched', 'trending_category', 'popular', 'new'] },
    evidence: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
    text: { type: 'string' },
  },
  required: ['type', 'evidence', 'text'],
} as const;

export const feedResponseSchema = {
  type: 'object',
  properties: {
    feed_id: { type: 'string' },
    recommendation_id: { type: 'string', description: 'Send it back with clicks, add-to-carts and purchases of these items (attribution).' },
    variant: { type: 'string' },
    model_version: { type: 'string' },
    generated_at: { type: 'integer', description: 'Wall-clock time the engine built the list (epoch ms).' },
    event_ts: { type: 'integer', description: 'Event time of the newest event the list reflects (epoch ms).' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          item_id: { type: 'string' },
          score: { type: 'number' },
          source: { type: 'string' },
          category_id: { type: 'string' },
          reason: reasonSchema,
        },
        required: ['item_id', 'score', 'source', 'reason'],
      },
    },
  },
  required: ['feed_id', 'recommendation_id', 'variant', 'model_version', 'generated_at', 'event_ts', 'items'],
} as const;

export const rerankBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    query: { type: 'string', maxLength: 512, description: 'The search the items answer (echoed; the engine holds no item text to match it against).' },
    session_id: { type: 'string', pattern: ID_PATTERN },
    items: { type: 'array', maxItems: 200, items: { type: 'string', pattern: ID_PATTERN } },
  },
  required: ['session_id', 'items'],
} as const;

export const rerankResponseSchema = {
  type: 'object',
  properties: {
    session_id: { type: 'string' },
    query: { type: 'string' },
    recommendation_id: { type: 'string', description: "The session's current list, when it has one." },
    items: { type: 'array', items: { type: 'string' } },
    details: {
      type: 'array',
      items: {
        type: 'object',
        properties: { item_id: { type: 'string' }, basis: { type: 'string', enum: ['query', 'feed', 'session', 'unknown'] }, score: { type: 'number' }, query_share: { type: 'number' } },
        required: ['item_id', 'basis'],
      },
    },
  },
  required: ['session_id', 'items', 'details'],
} as const;
