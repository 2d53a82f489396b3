import type { CandidateState } from '../domain/candidate-state.ts';
import type { Command } from '../domain/command.ts';
import type { Pseudonymizer } from '../domain/pseudonym.ts';
import type { SessionWindows } from '../domain/session-windows.ts';

/** Where a user's traces are kept outside the engine's memory. */
export interface ForgetTargets {
  readonly redis: { forget(userId: string, sessionIds: readonly string[]): Promise<number> };
  readonly clickhouse: {
    sessionsOf(pseudonym: string): Promise<string[]>;
    forget(pseudonym: string, sessions: readonly string[]): Promise<void>;
    record(row: { user_pseudonym: string; instance: string; requested_ms: number; done_ms: number; sessions: number }): Promise<void>;
  };
}

export interface ForgetDeps extends ForgetTargets {
  readonly windows: SessionWindows;
  readonly candidates: CandidateState;
  readonly pseudonym: Pseudonymizer;
  readonly instance: string;
  readonly now: () => number;
}

/**
 * Carries out one forget-user command: the user's live sessions leave the session windows, their
 * profile, ratings and session-kNN entries leave the candidate state, their user feed and their
 * sessions' feeds and features leave Redis, and ClickHouse gets the deletes for everything stored
 * under their pseudonym or one of their sessions (live ones and those found in `events`). Idempotent:
 * a redelivered or re-read command deletes nothing more.
 */
export async function forgetUser(command: Command, deps: ForgetDeps): Promise<{ readonly sessions: number }> {
  const pseudonym = deps.pseudonym(command.user_id);
  const live = deps.windows.forgetUser(command.user_id);
  const stored = await deps.clickhouse.sessionsOf(pseudonym);
  const sessions = [...new Set([...live, ...stored])];
  deps.candidates.forgetUser(command.user_id, sessions);
  await deps.redis.forget(command.user_id, sessions);
  await deps.clickhouse.forget(pseudonym, sessions);
  await deps.clickhouse.record({ user_pseudonym: pseudonym, instance: deps.instance, requested_ms: command.requested_ms, done_ms: deps.now(), sessions: sessions.length });
  return { sessions: sessions.length };
}
