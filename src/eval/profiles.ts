import type { Config } from '../config/config.ts';
import { CandidateState } from '../domain/candidate-state.ts';
import type { BehaviourEvent } from '../domain/event.ts';
import { emptyRequest } from '../domain/recommender/recommender.ts';
import { SessionWindows } from '../domain/session-windows.ts';

export interface StepFigures {
  /** Steps scored: the k-th distinct item of a returning user's session. */
  readonly rows: number;
  readonly hr20: number;
  readonly mrr20: number;
}

export interface ProfileArmFigures {
  /** The session's first item, predicted from nothing but the shopper (and what is trending). */
  readonly first: StepFigures;
  /** Its second item, predicted after the first. */
  readonly second: StepFigures;
  readonly both: StepFigures;
}

export interface ProfilesReport {
  readonly events: number;
  /** Distinct known users, and those with a session after an earlier one. */
  readonly users: number;
  readonly returningUsers: number;
  /** Sessions of a known user who had an earlier session. */
  readonly returningSessions: number;
  readonly withProfile: ProfileArmFigures;
  readonly withoutProfile: ProfileArmFigures;
  /** The 20 most popular items at that moment, for scale. */
  readonly popularity: ProfileArmFigures;
}

/** Micro-batch length of the replay, as in the other evaluations. */
const BATCH = 500;
const STEPS = 2;

interface Tally {
  rows: number;
  hits: number;
  reciprocal: number;
}

/**
 * How much a shopper's profile helps where it matters most: at the start of a returning user's new
 * session (another device, another day). The time-ordered events are replayed twice through the
 * engine's state, with `candidates.profiles` on and off; before each of the first two distinct items
 * of every session whose user had an earlier session, the list the engine would show is scored
 * (HR@20, MRR@20) before the event is learned. Only the arm differs; the events and every other
 * setting are the same.
 */
export function profileEval(events: readonly BehaviourEvent[], config: Config): ProfilesReport {
  const withProfile = replay(events, { ...config.candidates, profiles: true }, config);
  const withoutProfile = replay(events, { ...config.candidates, profiles: false }, config);
  return {
    events: events.length,
    users: withProfile.users,
    returningUsers: withProfile.returningUsers,
    returningSessions: withProfile.sessions,
    withProfile: withProfile.engine,
    withoutProfile: withoutProfile.engine,
    popularity: withProfile.popularity,
  };
}

function replay(events: readonly BehaviourEvent[], candidates: Config['candidates'], config: Config): { engine: ProfileArmFigures; popularity: ProfileArmFigures; sessions: number; users: number; returningUsers: number } {
  const state = new CandidateState(candidates);
  // Replayed history is in time order; nothing here is late.
  const windows = SessionWindows.fromConfig({ ...config.sessions, allowedLatenessMs: Number.MAX_SAFE_INTEGER }).of(0);
  const sessionsOf = new Map<string, Set<string>>();
  const returning = new Set<string>();
  const steps = new Map<string, { last: string; count: number }>();
  const engine = [tally(), tally()];
  const popular = [tally(), tally()];
  let sinceCommit = 0;
  for (const event of events) {
    const user = event.user_id;
    const item = event.item_id;
    if (user !== undefined) {
      const known = sessionsOf.get(user) ?? sessionsOf.set(user, new Set()).get(user);
      if (known !== undefined && !known.has(event.session_id)) {
        if (known.size > 0) returning.add(event.session_id);
        known.add(event.session_id);
      }
    }
    const before = windows.get(event.session_id)?.request(event.ts) ?? emptyRequest(event.ts, event.session_id);
    const step = steps.get(event.session_id) ?? { last: '', count: 0 };
    steps.set(event.session_id, step);
    if (item !== undefined && item !== step.last) {
      if (returning.has(event.session_id) && step.count < STEPS) {
        const list = state.recommender.recommend(state.withProfile(before, user), 20).map((entry) => entry.item_id);
        score(engine[step.count], list, item);
        score(popular[step.count], state.popularity.top(20).map((entry) => entry.item), item);
      }
      step.last = item;
      step.count += 1;
    }
    state.observe(event, before, 0);
    windows.apply(event, 0);
    sinceCommit += 1;
    if (sinceCommit >= BATCH) {
      state.commitBatch();
      windows.expire();
      sinceCommit = 0;
    }
  }
  let returningUsers = 0;
  for (const sessions of sessionsOf.values()) if (sessions.size > 1) returningUsers += 1;
  return { engine: figures(engine), popularity: figures(popular), sessions: returning.size, users: sessionsOf.size, returningUsers };
}

function tally(): Tally {
  return { rows: 0, hits: 0, reciprocal: 0 };
}

function score(t: Tally | undefined, list: readonly string[], target: string): void {
  if (t === undefined) return;
  t.rows += 1;
  const rank = list.indexOf(target);
  if (rank >= 0) {
    t.hits += 1;
    t.reciprocal += 1 / (rank + 1);
  }
}

function figures(steps: readonly Tally[]): ProfileArmFigures {
  const of = (t: Tally): StepFigures => ({
    rows: t.rows,
    hr20: Math.round((10000 * t.hits) / Math.max(1, t.rows)) / 100,
    mrr20: Math.round((10000 * t.reciprocal) / Math.max(1, t.rows)) / 100,
  });
  const both = steps.reduce((sum, t) => ({ rows: sum.rows + t.rows, hits: sum.hits + t.hits, reciprocal: sum.reciprocal + t.reciprocal }), tally());
  return { first: of(steps[0] ?? tally()), second: of(steps[1] ?? tally()), both: of(both) };
}
