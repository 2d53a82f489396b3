import type { Config } from '../config/config.ts';
import type { BehaviourEvent } from '../domain/event.ts';
import { pooled, replayArm, type Picker, type SliceFigures } from './arms.ts';

export interface ProfileArmFigures {
  /** The session's first item, predicted from nothing but the shopper (and what is trending). */
  readonly first: SliceFigures;
  /** Its second item, predicted after the first. */
  readonly second: SliceFigures;
  readonly both: SliceFigures;
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

const STEPS = 2;

/** Who is returning, and which step of its session an event is, as the replay goes. */
class ReturningPicker {
  readonly sessionsOf = new Map<string, Set<string>>();
  readonly returning = new Set<string>();
  private readonly steps = new Map<string, { last: string; count: number }>();

  readonly pick: Picker = (event) => {
    const user = event.user_id;
    if (user !== undefined) {
      const known = this.sessionsOf.get(user) ?? this.sessionsOf.set(user, new Set()).get(user);
      if (known !== undefined && !known.has(event.session_id)) {
        if (known.size > 0) this.returning.add(event.session_id);
        known.add(event.session_id);
      }
    }
    const item = event.item_id;
    const step = this.steps.get(event.session_id) ?? { last: '', count: 0 };
    this.steps.set(event.session_id, step);
    if (item === undefined || item === step.last) return null;
    const at = step.count;
    step.last = item;
    step.count += 1;
    return this.returning.has(event.session_id) && at < STEPS ? at : null;
  };
}

/**
 * How much a shopper's profile helps where it matters most: at the start of a returning user's new
 * session (another device, another day). The time-ordered events are replayed twice through the
 * engine's state, with `candidates.profiles` on and off; before each of the first two distinct items
 * of every session whose user had an earlier session, the list the engine would show is scored
 * (HR@20, MRR@20) before the event is learned.
 */
export function profileEval(events: readonly BehaviourEvent[], config: Config): ProfilesReport {
  const on = new ReturningPicker();
  const withProfile = replayArm(events, { ...config.candidates, profiles: true }, config, STEPS, on.pick);
  const withoutProfile = replayArm(events, { ...config.candidates, profiles: false }, config, STEPS, new ReturningPicker().pick);
  let returningUsers = 0;
  for (const sessions of on.sessionsOf.values()) if (sessions.size > 1) returningUsers += 1;
  const arm = (slices: readonly SliceFigures[]): ProfileArmFigures => {
    const [first, second] = [slices[0] ?? pooled([]), slices[1] ?? pooled([])];
    return { first, second, both: pooled([first, second]) };
  };
  return {
    events: events.length,
    users: on.sessionsOf.size,
    returningUsers,
    returningSessions: on.returning.size,
    withProfile: arm(withProfile.engine),
    withoutProfile: arm(withoutProfile.engine),
    popularity: arm(withProfile.popularity),
  };
}
