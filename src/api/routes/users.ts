import type { FastifyInstance } from 'fastify';
import type { Command } from '../../domain/command.ts';
import { RecError } from '../../errors.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import { errorSchema } from '../openapi.ts';
import { withTimeout } from './events.ts';

export interface UserRouteOptions {
  /** The engine's commands topic (kafka.commandsTopic). */
  readonly topic: string;
  readonly publishTimeoutMs: number;
  readonly now: () => number;
}

const ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** DELETE /v1/users/:user_id: asks every engine process to forget the user (full key only). */
export function userRoutes(app: FastifyInstance, publisher: EventPublisher, options: UserRouteOptions): void {
  app.delete<{ Params: { user_id: string } }>(
    '/v1/users/:user_id',
    {
      config: { access: 'full' },
      schema: {
        summary: 'Forgets a shopper: their feeds, features and profile in Redis, their state in the engine, their rows in ClickHouse',
        description:
          'Produces a forget_user command (schemas/events/command.v1.schema.json) to the commands topic, keyed by user_id. Every engine process removes the user from its state and Redis and issues the ClickHouse deletes (by the user\'s pseudonym and sessions); the table privacy_requests records each carried-out request. 202 once the command is stored in Kafka.',
        tags: ['privacy'],
        params: { type: 'object', properties: { user_id: { type: 'string' } }, required: ['user_id'] },
        response: {
          202: { type: 'object', properties: { user_id: { type: 'string' }, requested_ms: { type: 'integer' } }, required: ['user_id', 'requested_ms'] },
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const userId = request.params.user_id;
      if (!ID.test(userId)) throw new RecError('REC_BAD_REQUEST', 'user_id must be 1-128 characters from A-Z a-z 0-9 . _ : -');
      const command: Command = { type: 'forget_user', user_id: userId, requested_ms: options.now() };
      await withTimeout(publisher.publish(options.topic, [{ key: userId, value: JSON.stringify(command) }]), options.publishTimeoutMs, 'producing the forget command');
      return reply.status(202).send({ user_id: userId, requested_ms: command.requested_ms });
    },
  );
}
