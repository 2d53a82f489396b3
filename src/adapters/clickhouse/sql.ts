/**
 * The one place where values become SQL text. ClickHouse 18.16 has no `{name:Type}` query parameters,
 * so every value is inlined through these functions; nothing else may build SQL from input.
 */
export type SqlValue = string | number | bigint | boolean | null | readonly SqlValue[];

const STRING_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
};

/** A single-quoted ClickHouse string literal; backslash escapes cover quotes and control characters. */
export function quoteString(value: string): string {
  return `'${value.replace(/[\\'\n\r\t\0\b\f]/g, (ch) => STRING_ESCAPES[ch] ?? ch)}'`;
}

/** A value as a ClickHouse literal. Non-finite numbers are refused: there is no safe literal for them. */
export function literal(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`cannot inline non-finite number ${value} into SQL`);
    return String(value);
  }
  return `[${value.map(literal).join(', ')}]`;
}

/** An identifier (database, table, column): only plain names, quoted with backticks. */
export function identifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RangeError(`not a plain identifier: ${JSON.stringify(name)}`);
  return `\`${name}\``;
}

/** Marks text as trusted SQL (an identifier built by `identifier`, a keyword) inside `sql`. */
export class RawSql {
  constructor(readonly text: string) {}
}

/**
 * Tagged template: interpolated values are inlined as literals, `RawSql` as-is.
 *
 * @example sql`SELECT count() FROM ${new RawSql(identifier(db))}.events WHERE session_id = ${id}`
 */
export function sql(strings: TemplateStringsArray, ...values: readonly (SqlValue | RawSql)[]): string {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += value instanceof RawSql ? value.text : literal(value);
    out += strings[i + 1] ?? '';
  });
  return out;
}
