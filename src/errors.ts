/**
 * The one error type of the engine. Adapters translate client errors into it at the boundary, so
 * retry logic only ever reads `retriable` and never inspects library-specific error classes.
 */
export type ErrorCode =
  | 'REC_CONFIG'
  | 'REC_DECODE'
  | 'REC_SCHEMA'
  | 'REC_OVERSIZE'
  | 'REC_EMPTY'
  | 'REC_ENCODING'
  | 'REC_KAFKA'
  | 'REC_REDIS'
  | 'REC_CLICKHOUSE'
  | 'REC_SINK_TIMEOUT'
  | 'REC_DATA'
  | 'REC_CHECKPOINT'
  | 'REC_MODEL'
  | 'REC_SHUTDOWN'
  | 'REC_BAD_REQUEST'
  | 'REC_NOT_FOUND'
  | 'REC_AUTH'
  | 'REC_FORBIDDEN'
  | 'REC_RATE_LIMIT';

export interface RecErrorOptions {
  readonly retriable?: boolean;
  readonly cause?: unknown;
}

export class RecError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: RecErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RecError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

export function isRecError(error: unknown): error is RecError {
  return error instanceof RecError;
}

/** A readable one-line message for any thrown value, following `cause` chains. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    if (current instanceof Error) {
      parts.push(current instanceof RecError ? `${current.code}: ${current.message}` : current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  return parts.join(' <- ');
}
