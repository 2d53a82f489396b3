/** One event's contribution to the trending counts, waiting to be counted. */
export interface HeldCount {
  readonly session: string;
  readonly item: string;
  readonly category: string | null;
  readonly weight: number;
  readonly ts: number;
}

export interface TrendingHoldSnapshot {
  readonly held: readonly HeldCount[];
  readonly flagged: readonly (readonly [string, number])[];
  readonly newest: number | null;
}

/**
 * Trending counts wait `holdMs` of event time before they count, so a session caught as a bot within
 * that time (SessionState.bot) never counted at all: a burst of bot clicks cannot lift an item into
 * trending even for one micro-batch. Beyond `maxHeld` waiting counts, the oldest count early.
 */
export class TrendingHold {
  private held: HeldCount[] = [];
  private start = 0;
  /** Session → newest event time when it was flagged; kept while its counts may still be waiting. */
  private readonly flagged = new Map<string, number>();
  private newest = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly holdMs: number,
    private readonly maxHeld: number,
  ) {}

  get size(): number {
    return this.held.length - this.start;
  }

  add(count: HeldCount): void {
    this.held.push(count);
    if (count.ts > this.newest) this.newest = count.ts;
  }

  /** The session's waiting counts will never count. */
  flag(session: string): void {
    this.flagged.set(session, Number.isFinite(this.newest) ? this.newest : 0);
  }

  isFlagged(session: string): boolean {
    return this.flagged.has(session);
  }

  /** Counts whose wait is over (or that overflow `maxHeld`), in arrival order, without flagged sessions'. */
  due(): HeldCount[] {
    const out: HeldCount[] = [];
    const horizon = this.newest - this.holdMs;
    while (this.start < this.held.length) {
      const count = this.held[this.start];
      if (count === undefined || (count.ts > horizon && this.size <= this.maxHeld)) break;
      this.start += 1;
      if (!this.flagged.has(count.session)) out.push(count);
    }
    if (this.start > 1024 && this.start * 2 > this.held.length) {
      this.held = this.held.slice(this.start);
      this.start = 0;
    }
    for (const [session, at] of this.flagged) if (at < horizon) this.flagged.delete(session);
    return out;
  }

  snapshot(): TrendingHoldSnapshot {
    return { held: this.held.slice(this.start), flagged: [...this.flagged], newest: Number.isFinite(this.newest) ? this.newest : null };
  }

  restore(snapshot: TrendingHoldSnapshot): void {
    this.held = [...snapshot.held];
    this.start = 0;
    this.flagged.clear();
    for (const [session, at] of snapshot.flagged) this.flagged.set(session, at);
    this.newest = snapshot.newest ?? Number.NEGATIVE_INFINITY;
  }
}
