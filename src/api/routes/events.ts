import type { FastifyInstance } from 'fastify';
import type { EventCheck } from '../../domain/event-validator.ts';
import type { BehaviourEvent } from '../../domain/event.ts';
import { RecError } from '../../errors.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import { errorSchema } from '../openapi.ts';

export interface EventRouteOptions {
  readonly topic: string;
  readonly maxBatch: number;
  /** Bound on the broker acknowledging a batch; past it the request fails with 503. */
  readonly publishTimeoutMs: number;
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RecError('REC_SINK_TIMEOUT', `${what} took longer than ${ms} ms`, { retriable: true })), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function eventRoutes(app: FastifyInstance, publisher: EventPublisher, check: (value: unknown) => EventCheck, options: EventRouteOptions): void {
  app.post<{ Body: unknown }>(
    '/v1/events',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Accepts behaviour events (one event, or an array of them) from a storefront or browser beacon',
        description:
          'Each event is checked against schemas/events/behaviour-event.v1.schema.json, the schema the engine decodes with. A batch is all or nothing: if any event is invalid nothing is produced and the 400 lists every error by index. Valid events are produced to the events topic keyed by session_id. Beacons (navigator.sendBeacon) may send text/plain and pass the key as ?api_key=.',
        tags: ['events'],
        body: { anyOf: [{ type: 'object' }, { type: 'array', items: {} }] },
        response: {
          202: { type: 'object', properties: { accepted: { type: 'integer' } }, required: ['accepted'] },
          400: errorSchema,
          401: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const batch: unknown[] = Array.isArray(request.body) ? request.body : [request.body];
      if (batch.length === 0) throw new RecError('REC_BAD_REQUEST', 'empty batch: send one event or a non-empty array');
      if (batch.length > options.maxBatch) throw new RecError('REC_BAD_REQUEST', `batch of ${batch.length} events is over the limit of ${options.maxBatch}`);
      const events: BehaviourEvent[] = [];
      const problems: { index: number; errors: readonly string[] }[] = [];
      batch.forEach((value, index) => {
        const result = check(value);
        if (result.ok) events.push(result.event);
        else problems.push({ index, errors: result.errors });
      });
      if (problems.length > 0) {
        return reply.status(400).send({
          error: { code: 'REC_SCHEMA', message: `${problems.length} of ${batch.length} events do not match the event schema; nothing was accepted`, retriable: false, details: problems },
        });
      }
      const messages = events.map((event) => ({ key: event.session_id, value: JSON.stringify(event) }));
      await withTimeout(publisher.publish(options.topic, messages), options.publishTimeoutMs, `producing ${messages.length} events`);
      return reply.status(202).send({ accepted: events.length });
    },
  );
}
