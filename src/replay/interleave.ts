import type { BehaviourEvent } from '../domain/event.ts';

/**
 * Re-times recorded sessions as a live storefront would see them: `concurrent` sessions open at once,
 * each advancing by one event in turn, a new one starting as soon as one ends; the i-th event of the
 * result gets ts = start + round(i × stepMs) (events carry whole milliseconds). Each session keeps its
 * own order of events. A replay paced at 1000 / stepMs events/s then shows every session's steps
 * seconds apart, instead of a whole recorded session inside one micro-batch (recorded sessions are
 * minutes long, the data set months).
 */
export function interleaveSessions(events: readonly BehaviourEvent[], concurrent: number, start: number, stepMs: number): BehaviourEvent[] {
  const sessions = new Map<string, BehaviourEvent[]>();
  for (const event of events) {
    const list = sessions.get(event.session_id);
    if (list === undefined) sessions.set(event.session_id, [event]);
    else list.push(event);
  }
  const waiting = [...sessions.values()].reverse();
  const open: { events: BehaviourEvent[]; next: number }[] = [];
  const out: BehaviourEvent[] = [];
  while (waiting.length > 0 || open.length > 0) {
    while (open.length < concurrent && waiting.length > 0) open.push({ events: waiting.pop() ?? [], next: 0 });
    for (let i = 0; i < open.length; ) {
      const session = open[i];
      const event = session?.events[session.next];
      if (session === undefined || event === undefined) {
        open.splice(i, 1);
        continue;
      }
      out.push({ ...event, ts: start + Math.round(out.length * stepMs) });
      session.next += 1;
      i += 1;
    }
  }
  return out;
}
