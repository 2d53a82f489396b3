import type { BehaviourEvent } from '../domain/event.ts';
import { isId, knownUser } from './ids.ts';
import { readCsvRows } from './lines.ts';
import { hash32 } from '../domain/random.ts';
import { parseDay, parseMillis, sessionOffsetMs } from './time.ts';

interface ViewRow {
  readonly index: number;
  readonly item: string;
  readonly user: string | undefined;
  readonly timeframe: number;
}

interface SessionRows {
  /** UTC midnight of the earliest `eventdate` of the session: a session crossing midnight keeps one clock. */
  day: number;
  readonly rows: ViewRow[];
}

export interface ViewsResult {
  /** View events, grouped by session, each session in time order. */
  readonly events: BehaviourEvent[];
  /** Raw session id → UTC midnight of the session's first day; purchases reuse it to share the session clock. */
  readonly sessionStartDay: ReadonlyMap<string, number>;
  /** Earliest and latest `eventdate` (UTC midnight, epoch ms); null when the file has no rows. */
  readonly firstDay: number | null;
  readonly lastDay: number | null;
  /** Positive gaps between consecutive views of one session, ms, ascending. */
  readonly gaps: readonly number[];
  /** Rows dropped because an id falls outside the schema's id alphabet. */
  readonly skippedRows: number;
}

/** `dg-<session>`, the session id shared by views and purchases. */
export function digineticaSessionId(rawSession: string): string {
  return `dg-${rawSession}`;
}

/** Event time: session day + a per-session start offset + the row's ms since session start. */
export function digineticaTs(rawSession: string, day: number, timeframe: number): number {
  return day + sessionOffsetMs(hash32(digineticaSessionId(rawSession))) + timeframe;
}

/**
 * Reads `session_id;user_id;item_id;timeframe;eventdate` rows into view events. Rows are grouped by
 * session in memory because `timeframe` (not row order) orders a session and the file does not
 * promise sessions are contiguous.
 */
export async function readViews(path: string, categories: ReadonlyMap<string, string>): Promise<ViewsResult> {
  const sessions = new Map<string, SessionRows>();
  let skippedRows = 0;
  let firstDay: number | null = null;
  let lastDay: number | null = null;
  for await (const row of readCsvRows(path, ['session_id', 'user_id', 'item_id', 'timeframe', 'eventdate'])) {
    const where = `${path} row ${row.index}`;
    const session = row.get('session_id');
    const item = row.get('item_id');
    const timeframe = parseMillis(row.get('timeframe'), where);
    const day = parseDay(row.get('eventdate'), where);
    if (!isId(digineticaSessionId(session)) || !isId(item) || !isId(`dg-v-${session}-${row.index}`)) {
      skippedRows += 1;
      continue;
    }
    firstDay = firstDay === null ? day : Math.min(firstDay, day);
    lastDay = lastDay === null ? day : Math.max(lastDay, day);
    const entry = sessions.get(session);
    const viewRow: ViewRow = { index: row.index, item, user: knownUser(row.get('user_id')), timeframe };
    if (entry === undefined) sessions.set(session, { day, rows: [viewRow] });
    else {
      entry.day = Math.min(entry.day, day);
      entry.rows.push(viewRow);
    }
  }

  const events: BehaviourEvent[] = [];
  const gaps: number[] = [];
  const sessionStartDay = new Map<string, number>();
  for (const [session, { day, rows }] of sessions) {
    sessionStartDay.set(session, day);
    rows.sort((a, b) => a.timeframe - b.timeframe || a.index - b.index);
    let previous: number | null = null;
    for (const row of rows) {
      if (previous !== null && row.timeframe > previous) gaps.push(row.timeframe - previous);
      previous = row.timeframe;
      const category = categories.get(row.item);
      events.push({
        event_id: `dg-v-${session}-${row.index}`,
        type: 'view',
        ts: digineticaTs(session, day, row.timeframe),
        session_id: digineticaSessionId(session),
        item_id: row.item,
        ...(row.user === undefined ? {} : { user_id: row.user }),
        ...(category === undefined ? {} : { category_id: category }),
      });
    }
  }
  gaps.sort((a, b) => a - b);
  return { events, sessionStartDay, firstDay, lastDay, gaps, skippedRows };
}
