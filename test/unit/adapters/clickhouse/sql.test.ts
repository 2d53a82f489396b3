import { describe, expect, it } from 'vitest';
import { RawSql, identifier, literal, quoteString, sql } from '../../../../src/adapters/clickhouse/sql.ts';
import { randomInt, seededRandom } from '../../helpers/random.ts';

const UNESCAPE: Record<string, string> = { '\\': '\\', "'": "'", n: '\n', r: '\r', t: '\t', '0': '\0', b: '\b', f: '\f' };

/**
 * Reads one ClickHouse single-quoted literal the way its lexer does: a backslash escapes the next
 * character, and an unescaped quote ends the literal. Throws if anything follows the closing quote.
 */
function readStringLiteral(text: string): string {
  if (!text.startsWith("'")) throw new Error('no opening quote');
  let out = '';
  for (let i = 1; i < text.length; i += 1) {
    const ch = text[i] ?? '';
    if (ch === '\\') {
      const next = text[i + 1] ?? '';
      const value = UNESCAPE[next];
      if (value === undefined) throw new Error(`unexpected escape \\${next}`);
      out += value;
      i += 1;
    } else if (ch === "'") {
      if (i !== text.length - 1) throw new Error(`literal ends early at ${i}: ${JSON.stringify(text.slice(i))}`);
      return out;
    } else {
      out += ch;
    }
  }
  throw new Error('unterminated literal');
}

describe('quoteString', () => {
  it.each([
    ['plain', 'abc', "'abc'"],
    ['a quote', "it's", "'it\\'s'"],
    ['a backslash', 'a\\b', "'a\\\\b'"],
    ['a backslash before a quote', "\\'", "'\\\\\\''"],
    ['newline and carriage return', 'a\nb\rc', "'a\\nb\\rc'"],
    ['NUL', 'a\0b', "'a\\0b'"],
    ['tab, backspace, form feed', '\t\b\f', "'\\t\\b\\f'"],
    ['the empty string', '', "''"],
  ])('escapes %s', (_name, input, expected) => {
    expect(quoteString(input)).toBe(expected);
  });

  it('passes other control characters and Unicode through verbatim inside the quotes', () => {
    const others = '\x01\x07\x0b\x1b\x1f\x7f\u2028é😀';
    expect(quoteString(others)).toBe(`'${others}'`);
  });

  it('round-trips any string through a ClickHouse-style literal reader', () => {
    const random = seededRandom(99);
    const alphabet = ["'", '\\', '"', '`', '\n', '\r', '\t', '\0', '\b', '\f', '\x01', '\x1b', '\x7f', 'a', ' ', ';', '-', 'é', '😀'];
    for (let n = 0; n < 500; n += 1) {
      const value = Array.from({ length: randomInt(random, 12) }, () => alphabet[randomInt(random, alphabet.length)] ?? '').join('');
      expect(readStringLiteral(quoteString(value))).toBe(value);
    }
    for (let code = 0; code < 32; code += 1) {
      const value = `x${String.fromCharCode(code)}y`;
      expect(readStringLiteral(quoteString(value))).toBe(value);
    }
  });

  it("cannot be broken out of with an injected quote", () => {
    const attack = "x' OR 1=1 --";
    const text = sql`SELECT 1 WHERE s = ${attack}`;
    expect(text).toBe("SELECT 1 WHERE s = 'x\\' OR 1=1 --'");
    expect(readStringLiteral(text.slice('SELECT 1 WHERE s = '.length))).toBe(attack);
  });
});

describe('literal', () => {
  it('writes numbers, bigints, booleans and null', () => {
    expect(literal(42)).toBe('42');
    expect(literal(-1.5)).toBe('-1.5');
    expect(literal(0)).toBe('0');
    expect(literal(1e21)).toBe('1e+21');
    expect(literal(2n ** 64n)).toBe('18446744073709551616');
    expect(literal(-5n)).toBe('-5');
    expect(literal(true)).toBe('1');
    expect(literal(false)).toBe('0');
    expect(literal(null)).toBe('NULL');
    expect(literal("o'k")).toBe("'o\\'k'");
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('refuses the non-finite number %s', (value) => {
    expect(() => literal(value)).toThrow(RangeError);
    expect(() => literal([1, value])).toThrow(RangeError);
  });

  it('writes nested arrays', () => {
    expect(literal([])).toBe('[]');
    expect(literal([[1, 'a'], [], [null, true, [2n]]])).toBe("[[1, 'a'], [], [NULL, 1, [2]]]");
  });
});

describe('identifier', () => {
  it.each(['events', '_x1', 'A', 'snake_case_2'])('backquotes the plain name %s', (name) => {
    expect(identifier(name)).toBe(`\`${name}\``);
  });

  it.each(['', '1abc', 'a-b', 'a b', 'a`b', 'db.table', 'é', 'x;DROP TABLE t', 'a\n', "a'", 'a\0'])('rejects %j', (name) => {
    expect(() => identifier(name)).toThrow(RangeError);
  });
});

describe('sql template', () => {
  it('inlines values as literals and RawSql as-is', () => {
    const table = new RawSql(identifier('events'));
    const text = sql`SELECT * FROM ${table} WHERE id = ${"a'b"} AND n IN ${[1, 2]} AND x = ${null} AND f = ${true} AND big = ${10n}`;
    expect(text).toBe("SELECT * FROM `events` WHERE id = 'a\\'b' AND n IN [1, 2] AND x = NULL AND f = 1 AND big = 10");
  });

  it('returns the text unchanged without values, and handles values at both ends', () => {
    expect(sql`SELECT 1`).toBe('SELECT 1');
    expect(sql`${1}${new RawSql(' + ')}${2}`).toBe('1 + 2');
  });

  it('refuses non-finite numbers inside the template', () => {
    expect(() => sql`SELECT ${Number.NaN}`).toThrow(RangeError);
  });
});
