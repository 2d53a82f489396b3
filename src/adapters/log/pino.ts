import { pino } from 'pino';
import type { LogConfig } from '../../config/config.ts';
import type { Logger } from '../../ports/logger.ts';

/** JSON logs on stderr, so stdout stays free for CLI output. */
export function createLogger(config: LogConfig, name = 'streamrec'): Logger {
  return pino({ name, level: config.level, redact: ['password', 'saslPassword', '*.password', '*.saslPassword'] }, pino.destination(2));
}
