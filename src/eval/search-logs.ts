import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BehaviourEvent } from '../domain/event.ts';
import { normalizeQuery } from '../domain/query-intent.ts';
import { RecError } from '../errors.ts';
import { parseCsvLine } from './csv.ts';
import { openLines } from './srgnn-data.ts';

/** A search log as behaviour events in time order (searches before the clicks of the same instant). */
export interface SearchLog {
  readonly name: string;
  readonly format: 'bestbuy' | 'trivago';
  readonly events: readonly BehaviourEvent[];
}

const TRIVAGO_SEARCH = new Set(['search for destination', 'search for poi']);
const TRIVAGO_VIEW = /^(interaction item |search for item$)/;

/**
 * A trivago city ("Kuching, Malaysia") as a category id (`kuching-malaysia`): the city of a hotel action
 * is where the hotel is, the closest trivago has to a product category. Empty when nothing is left.
 */
export function cityId(city: string): string {
  // normalizeQuery drops accents and punctuation; what is left outside the id alphabet becomes a dash.
  return normalizeQuery(city)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 128);
}

/** Every `.csv` / `.csv.gz` file in `dir` and its direct subfolders, sorted by path. */
export function findSearchLogs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      for (const inner of readdirSync(path)) if (/\.csv(\.gz)?$/.test(inner)) out.push(join(path, inner));
    } else if (/\.csv(\.gz)?$/.test(name)) {
      out.push(path);
    }
  }
  return out.sort();
}

/** `2011-09-01 23:43:59.752` (UTC) → epoch ms. */
function parseUtc(text: string): number {
  const ms = Date.parse(`${text.trim().replace(' ', 'T')}Z`);
  if (!Number.isFinite(ms)) throw new RecError('REC_DATA', `unreadable time '${text}'`);
  return ms;
}

/**
 * Reads a Best Buy search→click log (`query_time`, `query`, `click_time`, `sku`, `category`, `session`)
 * or a trivago session log (`session_id`, `timestamp`, `step`, `action_type`, `reference`), told apart
 * by the header: one search event per distinct (session, query time, query), then its clicks.
 */
export async function readSearchLog(path: string): Promise<SearchLog> {
  let header: string[] | null = null;
  const rows: { ts: number; order: number; event: BehaviourEvent }[] = [];
  const searches = new Set<string>();
  let format: SearchLog['format'] | null = null;
  let n = 0;
  const col = (name: string): number => {
    const index = header?.indexOf(name) ?? -1;
    if (index < 0) throw new RecError('REC_DATA', `${path}: no '${name}' column`);
    return index;
  };
  let at: Record<string, number> = {};
  for await (const line of openLines(path)) {
    if (line.trim() === '') continue;
    const fields = parseCsvLine(line);
    if (header === null) {
      header = fields;
      if (fields.includes('query_time') && fields.includes('sku')) {
        format = 'bestbuy';
        at = { subset: header.indexOf('subset'), session: col('session'), queryTime: col('query_time'), query: col('query'), clickTime: col('click_time'), sku: col('sku'), category: col('category') };
      } else if (fields.includes('action_type') && fields.includes('reference')) {
        format = 'trivago';
        at = { session: col('session_id'), user: col('user_id'), timestamp: col('timestamp'), step: col('step'), action: col('action_type'), reference: col('reference'), city: col('city') };
      } else {
        throw new RecError('REC_DATA', `${path}: neither a Best Buy search-click log (query_time, sku) nor a trivago session log (action_type, reference)`);
      }
      continue;
    }
    const get = (key: string): string => fields[at[key] ?? -1] ?? '';
    n += 1;
    if (format === 'bestbuy') {
      const session = `bb-${get('subset')}-${get('session')}`;
      const queryTs = parseUtc(get('queryTime'));
      const key = `${session}|${queryTs}|${get('query')}`;
      if (!searches.has(key)) {
        searches.add(key);
        rows.push({ ts: queryTs, order: 0, event: { event_id: `bb-q-${n}`, type: 'search', ts: queryTs, session_id: session, query: get('query') } });
      }
      const clickTs = parseUtc(get('clickTime'));
      rows.push({ ts: clickTs, order: 1, event: { event_id: `bb-c-${n}`, type: 'click', ts: clickTs, session_id: session, item_id: get('sku'), category_id: get('category') } });
    } else {
      const action = get('action');
      const reference = get('reference');
      // Seconds only in the source: the step keeps a session's actions of one second in order.
      const ts = Number(get('timestamp')) * 1000 + Math.min(999, Number(get('step')));
      const base = { event_id: `tv-${n}`, ts, session_id: `tv-${get('session')}`, user_id: get('user') };
      const city = cityId(get('city'));
      const inCity = city === '' ? {} : { category_id: city };
      if (TRIVAGO_SEARCH.has(action) && reference !== '') rows.push({ ts, order: 0, event: { ...base, type: 'search', query: reference } });
      else if (action === 'clickout item' && /^\d+$/.test(reference)) rows.push({ ts, order: 1, event: { ...base, type: 'click', item_id: reference, ...inCity } });
      else if (TRIVAGO_VIEW.test(action) && /^\d+$/.test(reference)) rows.push({ ts, order: 1, event: { ...base, type: 'view', item_id: reference, ...inCity } });
    }
  }
  if (format === null) throw new RecError('REC_DATA', `${path} is empty`);
  rows.sort((a, b) => a.ts - b.ts || a.order - b.order);
  return { name: path, format, events: rows.map((row) => row.event) };
}
