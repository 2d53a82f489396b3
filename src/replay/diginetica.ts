import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BehaviourEvent } from '../domain/event.ts';
import { RecError } from '../errors.ts';
import { loadCategories } from './categories.ts';
import { isReadable } from './lines.ts';
import { readPurchases } from './purchases.ts';
import { readSrgnnSessions } from './srgnn.ts';
import { DAY_MS, formatDay } from './time.ts';
import { readViews, type ViewsResult } from './views.ts';

export const REPLAY_SOURCES = ['views', 'purchases', 'sessions'] as const;
export type ReplaySource = (typeof REPLAY_SOURCES)[number];

/**
 * Where each input lives under the data folder; the first existing candidate wins. The CIKM 2016
 * sample is preferred over the full views file because it fits the replay's in-memory merge.
 */
export const DIGINETICA_FILES = {
  views: [
    'raw-cikm2016/sample_train-item-views.csv.gz',
    'raw-cikm2016/sample_train-item-views.csv',
    'raw-cikm2016/train-item-views.csv.gz',
    'raw-cikm2016/train-item-views.csv',
  ],
  purchases: ['raw-cikm2016/train-purchases.csv.gz', 'raw-cikm2016/train-purchases.csv'],
  categories: ['raw-cikm2016/product-categories.csv.gz', 'raw-cikm2016/product-categories.csv'],
  sessions: ['srgnn-protocol/train_sessions.txt.gz', 'srgnn-protocol/train_sessions.txt'],
} as const;

/** CIKM Cup 2016 (DIGINETICA) span, used to place SR-GNN sessions when no raw file gives dates. */
const FALLBACK_RANGE = { startMs: Date.UTC(2016, 0, 1), endMs: Date.UTC(2016, 5, 2) };
/** With --shift-to-now the newest event lands this far behind `now`, so it is never in the future. */
const SHIFT_MARGIN_MS = 1_000;
const DEFAULT_SEED = 20160101;

export interface LoadOptions {
  readonly dataDir: string;
  readonly sources: readonly ReplaySource[];
  /** Most events in total; 0 = no limit. Raw views and purchases come first, SR-GNN sessions fill the rest. */
  readonly limit: number;
  readonly shiftToNow: boolean;
  /** Wall clock for --shift-to-now (epoch ms); injected so runs can be reproduced exactly. */
  readonly now: number;
  readonly seed?: number;
  /** Read the full views file before the sample when both exist (the evaluations that need every user). */
  readonly preferFullViews?: boolean;
  /** Called with each human-readable note (a skipped file, a truncation). */
  readonly onNotice?: (message: string) => void;
}

export interface SourceStats {
  /** The file read, or null when the source was not selected or not found. */
  readonly file: string | null;
  /** Events this source contributes to the replay (after the limit). */
  readonly events: number;
  /** Events the file holds (before the limit); for sessions, all events of the file. */
  readonly available: number;
  /** Rows dropped for ids outside the schema alphabet. */
  readonly skippedRows: number;
}

export interface LoadedReplay {
  /** Every selected event, ascending by (ts, event_id), already shifted. */
  readonly events: readonly BehaviourEvent[];
  readonly sources: Readonly<Record<ReplaySource, SourceStats>>;
  readonly srgnnSessions: { readonly taken: number; readonly available: number };
  readonly purchaseDuplicateRows: number;
  readonly categoriesKnown: number;
  /** `eventdate` range of the raw views (YYYY-MM-DD), null without views. */
  readonly viewDays: { readonly first: string; readonly last: string } | null;
  /** Added to every ts by --shift-to-now; 0 otherwise. */
  readonly shiftMs: number;
  readonly notices: readonly string[];
}

async function findFile(dataDir: string, candidates: readonly string[]): Promise<string | null> {
  for (const candidate of candidates) {
    const path = join(dataDir, candidate);
    if (await isReadable(path)) return path;
  }
  return null;
}

function byTime(a: BehaviourEvent, b: BehaviourEvent): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}

const EMPTY: SourceStats = { file: null, events: 0, available: 0, skippedRows: 0 };

/**
 * Reads the selected DIGINETICA sources under `dataDir` into one time-ordered list of valid events.
 * A missing source file is skipped with a notice; a missing folder, or no selected file at all, is
 * a REC_DATA error. Same inputs and options → the same events, byte for byte.
 */
export async function loadDiginetica(options: LoadOptions): Promise<LoadedReplay> {
  const notices: string[] = [];
  const notice = (message: string): void => {
    notices.push(message);
    options.onNotice?.(message);
  };
  const folder = await stat(options.dataDir).catch(() => null);
  if (folder === null || !folder.isDirectory()) {
    throw new RecError('REC_DATA', `data folder ${options.dataDir} does not exist or is not a folder`);
  }
  const wants = new Set(options.sources);
  const viewsFile = await findFile(options.dataDir, options.preferFullViews === true ? [...DIGINETICA_FILES.views].reverse() : DIGINETICA_FILES.views);
  const purchasesFile = await findFile(options.dataDir, DIGINETICA_FILES.purchases);
  const sessionsFile = await findFile(options.dataDir, DIGINETICA_FILES.sessions);
  const categoriesFile = await findFile(options.dataDir, DIGINETICA_FILES.categories);
  const missing = (source: ReplaySource): string =>
    `${source}: no ${DIGINETICA_FILES[source].join(' or ')} under ${options.dataDir}; skipping this source`;
  if (wants.has('views') && viewsFile === null) notice(missing('views'));
  if (wants.has('purchases') && purchasesFile === null) notice(missing('purchases'));
  if (wants.has('sessions') && sessionsFile === null) notice(missing('sessions'));
  const usable = [
    wants.has('views') && viewsFile !== null,
    wants.has('purchases') && purchasesFile !== null,
    wants.has('sessions') && sessionsFile !== null,
  ];
  if (!usable.includes(true)) {
    throw new RecError('REC_DATA', `none of the selected sources (${[...wants].join(', ')}) has a file under ${options.dataDir}`);
  }

  const needsCategories = (wants.has('views') && viewsFile !== null) || (wants.has('purchases') && purchasesFile !== null);
  let categories = new Map<string, string>();
  if (needsCategories && categoriesFile === null) {
    notice(`categories: no ${DIGINETICA_FILES.categories.join(' or ')}; events will carry no category_id`);
  } else if (needsCategories && categoriesFile !== null) {
    categories = await loadCategories(categoriesFile);
  }

  // The views file is read whenever present, even when views are not replayed: it gives purchases
  // their session clock and SR-GNN sessions their date range and gaps, so every selection of
  // sources yields the same timestamps for the same rows.
  const views: ViewsResult | null = viewsFile === null ? null : await readViews(viewsFile, categories);
  const purchases =
    wants.has('purchases') && purchasesFile !== null
      ? await readPurchases(purchasesFile, categories, views?.sessionStartDay ?? new Map())
      : null;

  // concat, not push(...): spreading a million-row array as arguments overflows the call stack.
  let raw: BehaviourEvent[] = [];
  if (wants.has('views') && views !== null) raw = raw.concat(views.events);
  if (purchases !== null) raw = raw.concat(purchases.events);
  raw.sort(byTime);
  if (options.limit > 0 && raw.length > options.limit) {
    notice(`limit ${options.limit} is below the ${raw.length} raw views and purchases; keeping the earliest ${options.limit}`);
    raw = raw.slice(0, options.limit);
  }

  let srgnn: Awaited<ReturnType<typeof readSrgnnSessions>> | null = null;
  if (wants.has('sessions') && sessionsFile !== null) {
    const range = dateRange(views, purchases, notice);
    const budget = options.limit > 0 ? options.limit - raw.length : Number.POSITIVE_INFINITY;
    if (views === null || views.gaps.length === 0) notice('sessions: no raw view gaps to sample; using uniform 5–120 s gaps');
    srgnn = await readSrgnnSessions(sessionsFile, {
      budget,
      ...range,
      gaps: views?.gaps ?? [],
      seed: options.seed ?? DEFAULT_SEED,
    });
  }

  const merged = srgnn === null ? raw : raw.concat(srgnn.events).sort(byTime);
  const newest = merged.at(-1)?.ts;
  const shiftMs = options.shiftToNow && newest !== undefined ? options.now - SHIFT_MARGIN_MS - newest : 0;
  const events = shiftMs === 0 ? merged : merged.map((event) => ({ ...event, ts: event.ts + shiftMs }));

  const kept = { view: 0, purchase: 0 };
  for (const event of raw) if (event.type === 'view' || event.type === 'purchase') kept[event.type] += 1;
  return {
    events,
    sources: {
      views:
        wants.has('views') && views !== null
          ? { file: viewsFile, events: kept.view, available: views.events.length, skippedRows: views.skippedRows }
          : EMPTY,
      purchases:
        purchases === null
          ? EMPTY
          : { file: purchasesFile, events: kept.purchase, available: purchases.events.length, skippedRows: purchases.skippedRows },
      sessions:
        srgnn === null ? EMPTY : { file: sessionsFile, events: srgnn.events.length, available: srgnn.totals.events, skippedRows: 0 },
    },
    srgnnSessions: { taken: srgnn?.sessionsTaken ?? 0, available: srgnn?.totals.sessions ?? 0 },
    purchaseDuplicateRows: purchases?.duplicateRows ?? 0,
    categoriesKnown: categories.size,
    viewDays:
      views === null || views.firstDay === null || views.lastDay === null
        ? null
        : { first: formatDay(views.firstDay), last: formatDay(views.lastDay) },
    shiftMs,
    notices,
  };
}

/** The days SR-GNN sessions are spread over: raw views' dates, else purchases', else the dataset's span. */
function dateRange(
  views: ViewsResult | null,
  purchases: { readonly firstDay: number | null; readonly lastDay: number | null } | null,
  notice: (message: string) => void,
): { startMs: number; endMs: number } {
  for (const source of [views, purchases]) {
    if (source !== null && source.firstDay !== null && source.lastDay !== null) {
      return { startMs: source.firstDay, endMs: source.lastDay + DAY_MS };
    }
  }
  notice(`sessions: no raw view or purchase dates; spreading sessions over ${formatDay(FALLBACK_RANGE.startMs)}..${formatDay(FALLBACK_RANGE.endMs - DAY_MS)}`);
  return FALLBACK_RANGE;
}
