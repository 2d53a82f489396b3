import type { SessionsConfig } from '../config/config.ts';
import { PartitionSessions, type SessionWindowOptions } from './partition-sessions.ts';

/** Per-partition session state of this process, created when a partition first delivers events. */
export class SessionWindows {
  private readonly partitions = new Map<number, PartitionSessions>();

  constructor(readonly options: SessionWindowOptions) {}

  static fromConfig(config: SessionsConfig): SessionWindows {
    return new SessionWindows({
      lastItems: config.lastItems,
      maxEventsPerSession: config.maxEventsPerSession,
      inactivityMs: config.inactivityMs,
      allowedLatenessMs: config.allowedLatenessMs,
      maxSessions: config.maxSessionsPerPartition,
      botMaxEventsPerMinute: config.botMaxEventsPerMinute,
      botMaxRepeatsPerItem: config.botMaxRepeatsPerItem,
    });
  }

  of(partition: number): PartitionSessions {
    let sessions = this.partitions.get(partition);
    if (sessions === undefined) {
      sessions = new PartitionSessions(partition, this.options);
      this.partitions.set(partition, sessions);
    }
    return sessions;
  }

  /** Removes every live session of a known user, in every partition; returns their ids. */
  forgetUser(userId: string): string[] {
    const removed: string[] = [];
    for (const sessions of this.partitions.values()) {
      for (const id of sessions.sessionsOf(userId)) {
        sessions.remove(id);
        removed.push(id);
      }
    }
    return removed;
  }

  /** Drops the state of partitions this process no longer owns; returns how many sessions went. */
  retain(owned: readonly number[]): number {
    let dropped = 0;
    for (const [partition, sessions] of this.partitions) {
      if (!owned.includes(partition)) {
        dropped += sessions.clear();
        this.partitions.delete(partition);
      }
    }
    return dropped;
  }

  sizes(): Map<number, number> {
    return new Map([...this.partitions].map(([partition, sessions]) => [partition, sessions.size]));
  }

}
