import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { RecError } from '../errors.ts';

/** True when `path` exists and is readable. */
export async function isReadable(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Lines of a text file, gunzipped on the fly when the name ends in `.gz`. Streams, so the datasets'
 * larger variants (millions of rows) never sit in memory as one string.
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  const file = createReadStream(path);
  let input: Readable = file;
  if (path.endsWith('.gz')) {
    const gunzip = createGunzip();
    // pipe() does not forward errors; a missing file must reject the iteration, not hang it.
    file.on('error', (error) => gunzip.destroy(error));
    input = file.pipe(gunzip);
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line;
  } catch (cause) {
    throw new RecError('REC_DATA', `cannot read ${path}`, { cause });
  } finally {
    lines.close();
    input.destroy();
    file.destroy();
  }
}

/** One CSV data row: its 1-based data row index (header excluded) and fields by header name. */
export interface CsvRow {
  readonly index: number;
  readonly get: (column: string) => string;
}

/**
 * Rows of a `;`-separated file whose header must contain `columns` (any order, extra columns
 * allowed). Blank lines are skipped; a row with too few fields is a REC_DATA error naming the line.
 */
export async function* readCsvRows(path: string, columns: readonly string[]): AsyncGenerator<CsvRow> {
  let header: Map<string, number> | null = null;
  let lineNo = 0;
  let index = 0;
  for await (const raw of readLines(path)) {
    lineNo += 1;
    const line = raw.trim();
    if (line === '') continue;
    const fields = line.split(';');
    if (header === null) {
      header = new Map(fields.map((name, position) => [name.trim(), position]));
      const missing = columns.filter((column) => !header?.has(column));
      if (missing.length > 0) {
        throw new RecError('REC_DATA', `${path}: header "${line}" lacks column(s) ${missing.join(', ')}`);
      }
      continue;
    }
    if (fields.length < header.size) {
      throw new RecError('REC_DATA', `${path}:${lineNo}: expected ${header.size} fields, got ${fields.length}`);
    }
    index += 1;
    const positions = header;
    yield {
      index,
      get: (column) => (fields[positions.get(column) ?? -1] ?? '').trim(),
    };
  }
  if (header === null) throw new RecError('REC_DATA', `${path}: file is empty (no header)`);
}
