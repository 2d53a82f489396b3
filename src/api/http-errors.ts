import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isRecError, type ErrorCode } from '../errors.ts';

/** Every error body of the Feed API: one shape, with the engine's error code. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly retriable: boolean;
    readonly details?: readonly unknown[];
  };
}

export function errorBody(code: ErrorCode, message: string, details?: readonly unknown[], retriable = false): ErrorBody {
  return { error: { code, message, retriable, ...(details === undefined ? {} : { details }) } };
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  REC_BAD_REQUEST: 400,
  REC_SCHEMA: 400,
  REC_DECODE: 400,
  REC_AUTH: 401,
  REC_FORBIDDEN: 403,
  REC_NOT_FOUND: 404,
  REC_RATE_LIMIT: 429,
  REC_REDIS: 503,
  REC_KAFKA: 503,
  REC_SINK_TIMEOUT: 503,
};

/**
 * Translates whatever a handler threw into the error body. Store and broker failures are 503 and
 * retriable (the client may try again); fastify's own request validation becomes REC_BAD_REQUEST with
 * one detail per failed rule.
 */
export function handleError(error: unknown, _request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isRecError(error)) {
    return reply.status(STATUS[error.code] ?? 500).send(errorBody(error.code, error.message, undefined, error.retriable));
  }
  const fastifyError = error as Partial<FastifyError> & { validation?: readonly { instancePath?: string; message?: string }[] };
  if (fastifyError.validation !== undefined) {
    const details = fastifyError.validation.map((v) => `${fastifyError.validationContext ?? 'request'}${v.instancePath ?? ''}: ${v.message ?? 'invalid'}`);
    return reply.status(400).send(errorBody('REC_BAD_REQUEST', 'request does not match the API schema', details));
  }
  const status = typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 ? fastifyError.statusCode : 500;
  if (status === 429) return reply.status(429).send(errorBody('REC_RATE_LIMIT', fastifyError.message ?? 'rate limit exceeded', undefined, true));
  if (status < 500) return reply.status(status).send(errorBody('REC_BAD_REQUEST', fastifyError.message ?? 'bad request'));
  return reply.status(500).send(errorBody('REC_DATA', 'internal error'));
}
