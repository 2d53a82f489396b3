export interface StallLimits {
  /** In its group: the longest silence between heartbeats (a whole session: the coordinator has dropped it by then). */
  readonly inGroupMs: number;
  /** Joining (after a start, a crash or a rebalance): the longest a join may take. */
  readonly joiningMs: number;
}

export type StallPhase = 'in-group' | 'joining';

/**
 * Calls `onStall` once a consumer has shown no sign of life for too long. kafkajs restarts a crashed
 * consumer by itself, but after a broker died it was seen retrying the dead broker for minutes, or
 * restarting without ever joining its group again; nothing in kafkajs reports that, so the engine
 * watches for the signs a working member gives: a heartbeat at least every heartbeat interval while
 * in the group, a completed join within the join limit otherwise.
 */
export class StallWatch {
  private last: number;
  private phase: StallPhase = 'joining';
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly limits: StallLimits,
    private readonly onStall: (silentMs: number, phase: StallPhase) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.last = now();
  }

  /** Checks several times per limit; the timer does not keep the process alive. The phase is not reset: the first join may already be done. */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.check(), Math.max(250, Math.floor(Math.min(this.limits.inGroupMs, this.limits.joiningMs) / 6)));
    this.timer.unref();
  }

  /** A heartbeat answered. */
  alive(): void {
    this.last = this.now();
  }

  /** The consumer (re)starts or its group rebalances: the next sign of life is a completed join. */
  joining(): void {
    this.phase = 'joining';
    this.last = this.now();
  }

  joined(): void {
    this.phase = 'in-group';
    this.last = this.now();
  }

  check(): void {
    const silentMs = this.now() - this.last;
    const phase = this.phase;
    if (silentMs < (phase === 'joining' ? this.limits.joiningMs : this.limits.inGroupMs)) return;
    // Count the next silence from here, so a replacement that fails is retried one join limit later.
    this.joining();
    this.onStall(silentMs, phase);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
