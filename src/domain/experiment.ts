import { createHash } from 'node:crypto';
import type { ExperimentConfig } from '../config/config.ts';
import { RecError } from '../errors.ts';

/** How an arm builds its lists: the whole blend and ranker, or co-visitation alone (a baseline). */
export type ArmRanker = 'full' | 'covisit';

export interface Arm {
  readonly name: string;
  readonly ranker: ArmRanker;
  readonly weight: number;
}

/** Who is being assigned: a session, possibly of a known user. */
export interface Subject {
  readonly sessionId: string | null;
  readonly userId: string | null;
}

/**
 * Sticky A/B assignment by hashing: the same subject always lands in the same arm, in any process,
 * with no stored state, so the engine (lists), the analytics rows (events) and anyone replaying the
 * data agree. Arms get traffic in proportion to their weights.
 */
export class Experiment {
  private readonly total: number;

  constructor(
    readonly arms: readonly Arm[],
    private readonly salt: string,
    private readonly assignBy: 'user' | 'session',
  ) {
    this.total = arms.reduce((sum, arm) => sum + arm.weight, 0);
    if (arms.length > 0 && this.total <= 0) throw new RecError('REC_CONFIG', 'experiment.variants: the weights sum to 0');
    const names = new Set(arms.map((arm) => arm.name));
    if (names.size !== arms.length) throw new RecError('REC_CONFIG', 'experiment.variants: arm names must be unique');
  }

  /** One arm, `defaultVariant` with the full ranker, when no variants are configured. */
  static fromConfig(config: ExperimentConfig, defaultVariant: string): Experiment {
    const arms = config.variants.map((entry): Arm => {
      const [name = '', ranker = '', weight = ''] = entry.split(':');
      if (ranker !== 'full' && ranker !== 'covisit') throw new RecError('REC_CONFIG', `experiment.variants: unknown ranker in "${entry}"`);
      return { name, ranker, weight: Number(weight) };
    });
    return new Experiment(arms.length === 0 ? [{ name: defaultVariant, ranker: 'full', weight: 1 }] : arms, config.salt, config.assignBy);
  }

  /** The key a subject is hashed by. */
  keyOf(subject: Subject): string {
    if (this.assignBy === 'user' && subject.userId !== null) return `u:${subject.userId}`;
    return subject.sessionId === null ? `u:${subject.userId ?? ''}` : `s:${subject.sessionId}`;
  }

  assign(subject: Subject): Arm {
    const only = this.arms[0];
    if (this.arms.length === 1 && only !== undefined) return only;
    const digest = createHash('sha1').update(`${this.salt}|${this.keyOf(subject)}`).digest();
    // 32 bits of the hash, scaled to the weight total: uniform enough for any realistic weights.
    let point = (digest.readUInt32BE(0) / 2 ** 32) * this.total;
    for (const arm of this.arms) {
      if (point < arm.weight) return arm;
      point -= arm.weight;
    }
    return this.arms[this.arms.length - 1] as Arm;
  }
}
