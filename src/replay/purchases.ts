import type { BehaviourEvent } from '../domain/event.ts';
import { isId, knownUser } from './ids.ts';
import { readCsvRows } from './lines.ts';
import { parseDay, parseMillis, DAY_MS } from './time.ts';
import { digineticaSessionId, digineticaTs } from './views.ts';

export interface PurchasesResult {
  readonly events: BehaviourEvent[];
  readonly firstDay: number | null;
  readonly lastDay: number | null;
  /** Rows dropped because an id falls outside the schema's id alphabet. */
  readonly skippedRows: number;
  /**
   * Rows identical to an earlier row. Kept (each is one unit bought; the file has no quantity
   * column), and their event ids stay unique through the row index.
   */
  readonly duplicateRows: number;
}

/**
 * Reads `sessionId;userId;timeframe;eventdate;ordernumber;itemId` rows into purchase events.
 *
 * `timeframe` counts from the session's start, which can be weeks before the purchase's own
 * `eventdate`. The session clock therefore starts on the session's first view day when the views
 * file knows the session (so views and purchases of one session line up), else on the purchase day
 * minus the whole days of `timeframe`.
 */
export async function readPurchases(
  path: string,
  categories: ReadonlyMap<string, string>,
  sessionStartDay: ReadonlyMap<string, number>,
): Promise<PurchasesResult> {
  const events: BehaviourEvent[] = [];
  const seen = new Set<string>();
  let skippedRows = 0;
  let duplicateRows = 0;
  let firstDay: number | null = null;
  let lastDay: number | null = null;
  const columns = ['sessionId', 'userId', 'timeframe', 'eventdate', 'ordernumber', 'itemId'];
  for await (const row of readCsvRows(path, columns)) {
    const where = `${path} row ${row.index}`;
    const session = row.get('sessionId');
    const item = row.get('itemId');
    const order = row.get('ordernumber');
    const timeframe = parseMillis(row.get('timeframe'), where);
    const day = parseDay(row.get('eventdate'), where);
    const eventId = `dg-p-${order}-${item}-${row.index}`;
    if (!isId(digineticaSessionId(session)) || !isId(item) || !isId(eventId)) {
      skippedRows += 1;
      continue;
    }
    const fingerprint = columns.map((column) => row.get(column)).join(';');
    if (seen.has(fingerprint)) duplicateRows += 1;
    else seen.add(fingerprint);
    firstDay = firstDay === null ? day : Math.min(firstDay, day);
    lastDay = lastDay === null ? day : Math.max(lastDay, day);
    const startDay = sessionStartDay.get(session) ?? day - Math.floor(timeframe / DAY_MS) * DAY_MS;
    const user = knownUser(row.get('userId'));
    const category = categories.get(item);
    events.push({
      event_id: eventId,
      type: 'purchase',
      ts: digineticaTs(session, startDay, timeframe),
      session_id: digineticaSessionId(session),
      item_id: item,
      quantity: 1,
      ...(user === undefined ? {} : { user_id: user }),
      ...(category === undefined ? {} : { category_id: category }),
    });
  }
  return { events, firstDay, lastDay, skippedRows, duplicateRows };
}
