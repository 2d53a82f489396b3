import type { BehaviourEvent } from '../domain/event.ts';
import { isId } from './ids.ts';
import { readLines } from './lines.ts';
import { hash32, mulberry32 } from '../domain/random.ts';

export interface SrgnnTotals {
  /** Non-blank lines: one session each. */
  readonly sessions: number;
  readonly events: number;
}

export interface SrgnnPlan {
  /** Most events to take; whole sessions only. Infinity takes every session. */
  readonly budget: number;
  /** Session starts are spread over [startMs, endMs) in line order. */
  readonly startMs: number;
  readonly endMs: number;
  /** Within-session gaps to sample from (ms, ascending); empty → uniform 5–120 s. */
  readonly gaps: readonly number[];
  readonly seed: number;
}

export interface SrgnnResult {
  readonly events: BehaviourEvent[];
  readonly sessionsTaken: number;
  readonly totals: SrgnnTotals;
}

function itemsOf(line: string): string[] {
  return line.split(/\s+/).filter((token) => token.length > 0);
}

/** Counts sessions and events in one streaming pass; the plan needs them to spread sessions evenly. */
export async function countSrgnn(path: string): Promise<SrgnnTotals> {
  let sessions = 0;
  let events = 0;
  for await (const line of readLines(path)) {
    const items = itemsOf(line).length;
    if (items === 0) continue;
    sessions += 1;
    events += items;
  }
  return { sessions, events };
}

function gapSampler(gaps: readonly number[], random: () => number): () => number {
  if (gaps.length === 0) return () => 5_000 + Math.floor(random() * 115_001);
  return () => gaps[Math.floor(random() * gaps.length)] ?? 0;
}

/**
 * Turns SR-GNN train sessions (one line of space-separated item ids each) into view events with
 * item ids `sr-<id>` and session ids `sr-<line>`. The file has no times: session k of n starts at a
 * random point of the k-th of n equal slices of [startMs, endMs), so line order (date order in
 * this protocol) is kept, and views within a session are separated by sampled real gaps.
 *
 * Under a budget, a fixed share of sessions is taken at even strides across the file (the share
 * being budget / all events), not just the first lines, so the replay still spans the whole date
 * range; a picked session that would overrun the budget is dropped whole.
 */
export async function readSrgnnSessions(path: string, plan: SrgnnPlan): Promise<SrgnnResult> {
  const totals = await countSrgnn(path);
  const events: BehaviourEvent[] = [];
  const slot = (plan.endMs - plan.startMs) / Math.max(totals.sessions, 1);
  let lineNo = 0;
  let ordinal = 0;
  // Every (1/share)-th session by position, whatever its length, so long sessions are not under-represented.
  const share = Math.min(1, Math.max(0, plan.budget) / Math.max(totals.events, 1));
  let sessionsTaken = 0;
  for await (const line of readLines(path)) {
    lineNo += 1;
    const items = itemsOf(line);
    if (items.length === 0) continue;
    const k = ordinal;
    ordinal += 1;
    const picked = Math.floor((k + 1) * share) > Math.floor(k * share);
    if (!picked || events.length + items.length > plan.budget) continue;
    const session = `sr-${lineNo}`;
    const random = mulberry32(hash32(session) ^ plan.seed);
    const nextGap = gapSampler(plan.gaps, random);
    let ts = Math.floor(plan.startMs + (k + random()) * slot);
    let position = 0;
    for (const id of items) {
      position += 1;
      const item = `sr-${id}`;
      const eventId = `sr-v-${lineNo}-${position}`;
      // A token outside the id alphabet would make the event invalid; the rest of the session still plays.
      if (!isId(item) || !isId(eventId)) continue;
      if (position > 1) ts += nextGap();
      events.push({ event_id: eventId, type: 'view', ts, session_id: session, item_id: item });
    }
    sessionsTaken += 1;
  }
  return { events, sessionsTaken, totals };
}
