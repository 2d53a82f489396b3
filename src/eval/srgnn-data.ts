import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { RecError } from '../errors.ts';
import { loadCategories } from '../replay/categories.ts';

/** One scoring row: the items seen so far (oldest first) and the item that came next. */
export interface TestPrefix {
  readonly target: string;
  readonly prefix: readonly string[];
}

export function openLines(path: string): AsyncIterable<string> {
  const raw = createReadStream(path);
  const input = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  return createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
}

/** The first existing of `<dir>/<name>.gz` and `<dir>/<name>`. */
export function dataFile(dir: string, name: string): string {
  for (const candidate of [join(dir, `${name}.gz`), join(dir, name)]) if (existsSync(candidate)) return candidate;
  throw new RecError('REC_DATA', `${join(dir, name)}(.gz) not found: the folder must hold train_sessions.txt(.gz) and test_prefixes.tsv(.gz) in the SR-GNN protocol format`);
}

/** Training sessions, one per line: space-separated item ids, oldest first, in time order. */
export async function* readTrainSessions(dir: string): AsyncGenerator<string[]> {
  for await (const line of openLines(dataFile(dir, 'train_sessions.txt'))) {
    const items = line.trim().split(/\s+/).filter((item) => item.length > 0);
    if (items.length > 0) yield items;
  }
}

/** Number of non-empty training sessions (for progress totals; reads the file once). */
export async function countTrainSessions(dir: string): Promise<number> {
  let n = 0;
  for await (const line of openLines(dataFile(dir, 'train_sessions.txt'))) if (line.trim() !== '') n += 1;
  return n;
}

/** Test prefixes: a `target<TAB>prefix` header, then one row per prefix (prefix space-separated, oldest first). */
export async function readTestPrefixes(dir: string): Promise<TestPrefix[]> {
  const rows: TestPrefix[] = [];
  let header = true;
  for await (const line of openLines(dataFile(dir, 'test_prefixes.tsv'))) {
    if (header) {
      header = false;
      if (/^target\tprefix/.test(line)) continue;
    }
    const [target, prefix] = line.split('\t');
    if (target === undefined || prefix === undefined || target.trim() === '') continue;
    rows.push({ target: target.trim(), prefix: prefix.trim().split(/\s+/).filter((item) => item.length > 0) });
  }
  return rows;
}

/** Optional `item_categories.csv(.gz)` (`itemId;categoryId`, as Diginetica's product-categories) beside the session files. */
export async function itemCategories(dir: string): Promise<Map<string, string> | null> {
  for (const name of ['item_categories.csv.gz', 'item_categories.csv']) {
    const path = join(dir, name);
    if (existsSync(path)) return loadCategories(path);
  }
  return null;
}
