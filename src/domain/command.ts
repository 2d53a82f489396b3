import type { RecordOrigin } from './event.ts';

/** Command v1. Mirrors schemas/events/command.v1.schema.json. */
export interface Command {
  readonly v?: 1;
  readonly type: 'forget_user';
  readonly user_id: string;
  /** When the request was made, epoch milliseconds. */
  readonly requested_ms: number;
}

/** A valid command with where it came from and when the engine received it. */
export interface IngestedCommand {
  readonly command: Command;
  readonly origin: RecordOrigin;
  readonly receivedAt: number;
}
