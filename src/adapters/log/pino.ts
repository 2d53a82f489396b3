import { pino } from 'pino';
import type { LogConfig } from '../../config/config.ts';
import type { Logger } from '../../ports/logger.ts';

/** Where log lines go; stderr unless a test captures them. */
export interface LogDestination {
  write(line: string): void;
}

/** JSON logs on stderr, so stdout stays free for CLI output. */
export function createLogger(config: LogConfig, name = 'streamrec', destination?: LogDestination): Logger {
  return pino({ name, level: config.level, redact: ['password', 'saslPassword', '*.password', '*.saslPassword'] }, destination ?? pino.destination(2));
}
