import type { BehaviourEvent } from './event.ts';
import { eventIdHash, SessionState, type SessionLimits, type SessionSnapshot } from './session-state.ts';

export interface SessionWindowOptions extends SessionLimits {
  readonly inactivityMs: number;
  readonly allowedLatenessMs: number;
  readonly maxSessions: number;
}

export interface PartitionSnapshot {
  readonly partition: number;
  /** Newest event time seen (the watermark plus the allowed lateness); null before any event. */
  readonly maxEventTs: number | null;
  readonly sessions: readonly SessionSnapshot[];
}

export type Eviction = { readonly sessionId: string; readonly reason: 'inactive' | 'capacity' };

export type ApplyOutcome =
  | { readonly kind: 'late' }
  /** The session already holds this event (a record delivered twice): stored again, applied once. */
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'applied'; readonly session: SessionState; readonly ended: SessionState | null };

/**
 * Sessions of one Kafka partition with an event-time watermark. The watermark is the newest event time
 * seen on the partition minus the allowed lateness; events behind it are late and leave the windows
 * untouched. A session ends once the watermark passes its last event plus the inactivity gap.
 * Keeping this per partition lets a partition's state move between processes on rebalance.
 */
export class PartitionSessions {
  private readonly sessions = new Map<string, SessionState>();
  private maxEventTs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly partition: number,
    private readonly options: SessionWindowOptions,
  ) {}

  get watermark(): number {
    return this.maxEventTs - this.options.allowedLatenessMs;
  }

  get size(): number {
    return this.sessions.size;
  }

  get(sessionId: string): SessionState | undefined {
    return this.sessions.get(sessionId);
  }

  apply(event: BehaviourEvent, ingestedAt: number): ApplyOutcome {
    if (event.ts < this.watermark) return { kind: 'late' };
    this.maxEventTs = Math.max(this.maxEventTs, event.ts);
    let ended: SessionState | null = null;
    let session = this.sessions.get(event.session_id);
    const id = eventIdHash(event.event_id);
    if (session?.holds(event.ts, id) === true) return { kind: 'duplicate' };
    if (session !== undefined && event.ts > session.lastSeen + this.options.inactivityMs) {
      ended = session;
      session = undefined;
    }
    if (session === undefined) {
      session = new SessionState(event.session_id, this.partition, event.ts);
    }
    // Re-inserting keeps the Map in order of last activity, so eviction scans from the front.
    this.sessions.delete(event.session_id);
    this.sessions.set(event.session_id, session);
    session.apply(event, this.options, ingestedAt, id);
    return { kind: 'applied', session, ended };
  }

  /**
   * Ends sessions the watermark has passed and evicts the least recently active ones beyond capacity.
   * The scan stops at the first live session in activity order, so its cost follows what it removes.
   */
  expire(): Eviction[] {
    const out: Eviction[] = [];
    const horizon = this.watermark - this.options.inactivityMs;
    for (const [id, session] of this.sessions) {
      if (this.sessions.size > this.options.maxSessions) {
        this.sessions.delete(id);
        out.push({ sessionId: id, reason: 'capacity' });
      } else if (session.lastSeen < horizon) {
        this.sessions.delete(id);
        out.push({ sessionId: id, reason: 'inactive' });
      } else {
        break;
      }
    }
    return out;
  }

  /** Ids of the live sessions of a known user. */
  sessionsOf(userId: string): string[] {
    const out: string[] = [];
    for (const [id, session] of this.sessions) if (session.userId === userId) out.push(id);
    return out;
  }

  remove(sessionId: string): boolean {
    return this.sessions.delete(sessionId);
  }

  clear(): number {
    const size = this.sessions.size;
    this.sessions.clear();
    return size;
  }

  /** The partition's sessions (least recently active first) and its watermark, for a checkpoint. */
  snapshot(): PartitionSnapshot {
    return {
      partition: this.partition,
      maxEventTs: Number.isFinite(this.maxEventTs) ? this.maxEventTs : null,
      sessions: [...this.sessions.values()].map((session) => session.snapshot()),
    };
  }

  restore(snapshot: PartitionSnapshot): void {
    this.maxEventTs = snapshot.maxEventTs ?? Number.NEGATIVE_INFINITY;
    this.sessions.clear();
    for (const session of snapshot.sessions) this.sessions.set(session.sessionId, SessionState.restore(session, this.partition));
  }
}
