import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { RecError } from '../errors.ts';
import { readCsvRows } from '../replay/lines.ts';

/** One viewed item of a raw session. */
export interface RawView {
  readonly session: string;
  readonly item: string;
  /** Day of the view, YYYY-MM-DD. */
  readonly date: string;
  /** Order within the session (CIKM's `timeframe`). */
  readonly order: number;
}

export interface SplitOptions {
  /** Items seen fewer times are dropped (SR-GNN: 5). */
  readonly minItemSupport: number;
  /** Sessions of the last `testDays` days are the test set (SR-GNN on Diginetica: 7). */
  readonly testDays: number;
}

export interface SrgnnSplit {
  /** Training sessions in date order, each oldest item first. */
  readonly train: readonly (readonly string[])[];
  /** Every prefix of every test session with the item that followed it. */
  readonly test: readonly { readonly target: string; readonly prefix: readonly string[] }[];
  readonly stats: { readonly trainSessions: number; readonly testSessions: number; readonly items: number; readonly firstDay: string; readonly splitDay: string; readonly lastDay: string };
}

const DAY_MS = 86_400_000;

/**
 * The SR-GNN preprocessing of Diginetica's views, keeping the original item ids (so categories still
 * apply): sessions ordered by `timeframe`, sessions of one view and items seen fewer than
 * `minItemSupport` times dropped (then short sessions again), the last `testDays` days as test
 * sessions, test items unknown to training removed, and each test session of n items expanded into
 * its n − 1 prefixes.
 */
export function srgnnSplit(views: readonly RawView[], options: SplitOptions): SrgnnSplit {
  const sessions = new Map<string, RawView[]>();
  for (const view of views) {
    let list = sessions.get(view.session);
    if (list === undefined) sessions.set(view.session, (list = []));
    list.push(view);
  }
  for (const [id, list] of sessions) if (list.length < 2) sessions.delete(id);
  const support = new Map<string, number>();
  for (const list of sessions.values()) for (const view of list) support.set(view.item, (support.get(view.item) ?? 0) + 1);
  const kept: { date: string; session: string; items: string[] }[] = [];
  for (const [session, list] of sessions) {
    const items = [...list].sort((a, b) => a.order - b.order).filter((view) => (support.get(view.item) ?? 0) >= options.minItemSupport).map((view) => view.item);
    if (items.length < 2) continue;
    const date = list.reduce((latest, view) => (view.date > latest ? view.date : latest), '');
    kept.push({ date, session, items });
  }
  if (kept.length === 0) throw new RecError('REC_DATA', 'no session has two or more items after filtering; nothing to split');
  kept.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.session < b.session ? -1 : a.session > b.session ? 1 : 0));
  const lastDay = kept.at(-1)?.date ?? '';
  const splitDay = new Date(Date.parse(`${lastDay}T00:00:00Z`) - options.testDays * DAY_MS).toISOString().slice(0, 10);
  const train = kept.filter((s) => s.date <= splitDay).map((s) => s.items);
  const known = new Set(train.flat());
  const { test, sessions: testSessions } = testPrefixes(
    kept.filter((s) => s.date > splitDay).map((s) => s.items),
    known,
  );
  return { train, test, stats: { trainSessions: train.length, testSessions, items: known.size, firstDay: kept[0]?.date ?? '', splitDay, lastDay } };
}

/**
 * Every prefix of each test session with the item that followed it (longest first, as SR-GNN writes
 * them), after dropping the items training never saw; sessions left with fewer than two items give none.
 */
function testPrefixes(sessions: readonly (readonly string[])[], known: ReadonlySet<string>): { test: { target: string; prefix: string[] }[]; sessions: number } {
  const test: { target: string; prefix: string[] }[] = [];
  let used = 0;
  for (const session of sessions) {
    const items = session.filter((item) => known.has(item));
    if (items.length < 2) continue;
    used += 1;
    for (let end = items.length - 1; end >= 1; end -= 1) test.push({ target: items[end] ?? '', prefix: items.slice(0, end) });
  }
  return { test, sessions: used };
}

/**
 * A validation folder from a training set, for choosing defaults without looking at the test prefixes:
 * the last `share` of the training sessions (in file order, which is time order in the SR-GNN files)
 * become test prefixes, the rest the training sessions.
 */
export function validationSplit(sessions: readonly (readonly string[])[], share: number): Pick<SrgnnSplit, 'train' | 'test'> & { readonly testSessions: number } {
  if (!(share > 0 && share < 1)) throw new RecError('REC_CONFIG', `the validation share must be between 0 and 1, got ${share}`);
  const cut = Math.floor(sessions.length * (1 - share));
  const train = sessions.slice(0, cut);
  const { test, sessions: testSessions } = testPrefixes(sessions.slice(cut), new Set(train.flat()));
  return { train, test, testSessions };
}

/** Reads a CIKM 2016 views file (`session_id;user_id;item_id;timeframe;eventdate`). Malformed rows are skipped. */
export async function readRawViews(path: string): Promise<RawView[]> {
  const views: RawView[] = [];
  for await (const row of readCsvRows(path, ['session_id', 'item_id', 'timeframe', 'eventdate'])) {
    const session = row.get('session_id');
    const item = row.get('item_id');
    const order = Number(row.get('timeframe'));
    const date = row.get('eventdate');
    if (session === '' || item === '' || !/^\d{4}-\d{2}-\d{2}$/.test(date) || !Number.isFinite(order)) continue;
    views.push({ session, item, date, order });
  }
  return views;
}

async function writeGzipLines(path: string, lines: Iterable<string>): Promise<void> {
  const text = function* (): Generator<string> {
    for (const line of lines) yield `${line}\n`;
  };
  await pipeline(Readable.from(text()), createGzip(), createWriteStream(path));
}

/** Writes the split as an SR-GNN-format folder the evaluation reads, with the item categories beside it (when there are any). */
export async function writeSplit(dir: string, split: Pick<SrgnnSplit, 'train' | 'test'>, categories: ReadonlyMap<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeGzipLines(join(dir, 'train_sessions.txt.gz'), split.train.map((items) => items.join(' ')));
  await writeGzipLines(join(dir, 'test_prefixes.tsv.gz'), ['target\tprefix', ...split.test.map((row) => `${row.target}\t${row.prefix.join(' ')}`)]);
  if (categories.size === 0) return;
  const items = new Set([...split.train.flat(), ...split.test.flatMap((row) => [row.target, ...row.prefix])]);
  const lines = ['itemId;categoryId', ...[...items].filter((item) => categories.has(item)).map((item) => `${item};${categories.get(item) ?? ''}`)];
  await writeGzipLines(join(dir, 'item_categories.csv.gz'), lines);
}
