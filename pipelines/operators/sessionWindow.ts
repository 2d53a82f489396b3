import { map, type OperatorFunction } from 'rxjs';
import type { IngestedEvent } from '../../src/domain/event.ts';
import { emptyRequest, type RecommendRequest } from '../../src/domain/recommender/recommender.ts';
import type { SessionState } from '../../src/domain/session-state.ts';
import type { SessionWindows } from '../../src/domain/session-windows.ts';
import type { AppliedEvent, DecodedBatch, WindowedBatch } from '../types.ts';

/** A session with nothing before this event. */
const nothingBefore = (ingested: IngestedEvent): RecommendRequest => emptyRequest(ingested.event.ts, ingested.event.session_id);

/**
 * Applies each valid event to its session's event-time windows in the partition's state. Events behind
 * the partition watermark are marked late and leave the windows untouched (they still reach the sinks).
 * A record the session already holds (the same event id and time, written twice by a retried produce)
 * reaches the sinks and nothing else. After the batch, sessions the watermark has passed by the
 * inactivity gap end, and the least recently active sessions beyond capacity are evicted; sessions
 * touched by the batch are still reported with their final state, so their last features and feed get
 * written. Events of a session taken for a bot (`sessions.botMax*`) are marked and left out of
 * `applied`: stored, never learned from. Batches replayed after a partition changed owner
 * (`source.phase`) rebuild sessions without learning again.
 *
 * @example decoded$.pipe(sessionWindow(new SessionWindows(options)))
 */
export function sessionWindow(windows: SessionWindows): OperatorFunction<DecodedBatch, WindowedBatch> {
  return map((batch) => {
    const sessions = windows.of(batch.source.partition);
    const events: IngestedEvent[] = [];
    const applied: AppliedEvent[] = [];
    const touchedSessions = new Map<string, SessionState>();
    const touchedUsers = new Set<string>();
    let lateCount = 0;
    let flagged: string[] | null = null;
    let botEvents: Map<'rate' | 'repeat', number> | null = null;
    for (const ingested of batch.events) {
      const previous = sessions.get(ingested.event.session_id);
      const before = previous?.request(ingested.event.ts) ?? nothingBefore(ingested);
      const served = previous?.served ?? [];
      const wasBot = previous?.bot ?? null;
      const outcome = sessions.apply(ingested.event, ingested.receivedAt);
      if (outcome.kind === 'late') {
        lateCount += 1;
        events.push({ ...ingested, late: true });
        continue;
      }
      if (outcome.kind === 'duplicate') {
        // The sinks keep one row per event id; nothing learns from it or counts it a second time.
        events.push(ingested);
        continue;
      }
      const bot = outcome.session.bot;
      if (bot !== null) {
        // Stored like any event (with its flag), learned from by nothing.
        events.push({ ...ingested, bot });
        botEvents ??= new Map();
        botEvents.set(bot, (botEvents.get(bot) ?? 0) + 1);
        if (wasBot === null || outcome.session !== previous) (flagged ??= []).push(ingested.event.session_id);
        touchedSessions.set(ingested.event.session_id, outcome.session);
        continue;
      }
      events.push(ingested);
      applied.push(outcome.ended === null ? { ingested, before, served } : { ingested, before: nothingBefore(ingested), served: [] });
      touchedSessions.set(ingested.event.session_id, outcome.session);
      if (ingested.event.user_id !== undefined) touchedUsers.add(ingested.event.user_id);
    }
    const evictions = sessions.expire();
    let inactive = 0;
    for (const eviction of evictions) if (eviction.reason === 'inactive') inactive += 1;
    const phase = batch.source.phase;
    if (phase === 'restore') {
      // Already stored and learned from by the partition's previous owner: only the sessions needed it.
      return { ...batch, events: [], deadLetters: [], applied: [], lateCount: 0, touchedSessions: new Map(), touchedUsers: new Set(), evicted: { inactive, capacity: evictions.length - inactive } };
    }
    if (phase === 'catch-up') {
      // Learned from by the previous owner (its deltas said so), perhaps not stored: sinks and feeds, no learning.
      return { ...batch, events, applied: [], lateCount, touchedSessions, touchedUsers, evicted: { inactive, capacity: evictions.length - inactive } };
    }
    return {
      ...batch,
      events,
      applied,
      lateCount,
      touchedSessions,
      touchedUsers,
      evicted: { inactive, capacity: evictions.length - inactive },
      ...(flagged === null ? {} : { flagged }),
      ...(botEvents === null ? {} : { botEvents }),
    };
  });
}
