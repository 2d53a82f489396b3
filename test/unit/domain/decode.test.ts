import { describe, expect, it } from 'vitest';
import { decodeRecord, truncateUtf8, type DecodeOptions } from '../../../src/domain/decode.ts';
import { EVENT_TYPES, type DeadLetter, type EventType } from '../../../src/domain/event.ts';

const OPTIONS: DecodeOptions = { maxBytes: 1024, payloadBytes: 16 };
const ORIGIN = { topic: 'events', partition: 3, offset: '42' };
const TS = 1_700_000_000_000;

function decode(value: Buffer | string | object | null, options: DecodeOptions = OPTIONS) {
  const buffer = value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  return decodeRecord({ origin: ORIGIN, key: 'k-1', value: buffer, receivedAt: 777 }, options);
}

function rejected(value: Buffer | string | object | null, options: DecodeOptions = OPTIONS): DeadLetter {
  const result = decode(value, options);
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.event)}`);
  return result.deadLetter;
}

const minimal: Record<EventType, object> = {
  search: { query: 'red shoes' },
  view: { item_id: 'i-1' },
  click: { item_id: 'i-1' },
  favorite: { item_id: 'i-1' },
  add_to_cart: { item_id: 'i-1' },
  remove_from_cart: { item_id: 'i-1' },
  purchase: { item_id: 'i-1' },
  rating: { item_id: 'i-1', rating: 5 },
};
const valid = { event_id: 'e-1', type: 'view', ts: TS, session_id: 's-1', item_id: 'i-1' };

describe('decodeRecord', () => {
  it.each(EVENT_TYPES)('accepts a minimal %s event', (type) => {
    const input = { event_id: 'e-1', type, ts: TS, session_id: 's-1', ...minimal[type] };
    const result = decode(input);
    expect(result).toEqual({ ok: true, event: input });
  });

  it('accepts every optional field', () => {
    const full = {
      v: 1, event_id: 'e-1', type: 'purchase', ts: TS, session_id: 's-1', user_id: 'u-1', item_id: 'i-1', category_id: 'c-1',
      price: 0, quantity: 2, recommendation_id: 'r-1', device: 'ios app', tenant: 't-1', query: 'x',
    };
    expect(decode(full)).toEqual({ ok: true, event: full });
  });

  it.each([
    ['search without query', { ...valid, type: 'search', item_id: undefined }, 'query'],
    ['view without item_id', { ...valid, item_id: undefined }, 'item_id'],
    ['rating without rating', { ...valid, type: 'rating' }, 'rating'],
    ['missing session_id', { ...valid, session_id: undefined }, 'session_id'],
  ])('rejects %s as REC_SCHEMA naming the missing field', (_name, input, field) => {
    const letter = rejected(input);
    expect(letter.reason).toBe('REC_SCHEMA');
    expect(letter.message).toContain(`'${field}'`);
  });

  it('rejects an empty value and a null (tombstone) value as REC_EMPTY', () => {
    expect(rejected(null).reason).toBe('REC_EMPTY');
    expect(rejected(Buffer.alloc(0)).reason).toBe('REC_EMPTY');
  });

  it('rejects a record over maxBytes as REC_OVERSIZE naming its size and the limit', () => {
    const base = JSON.stringify(valid);
    const exact = base.slice(0, -1) + ' '.repeat(100 - base.length) + '}';
    expect(Buffer.byteLength(exact)).toBe(100);
    expect(decode(exact, { maxBytes: 100, payloadBytes: 16 }).ok).toBe(true);
    const letter = rejected(`${exact} `, { maxBytes: 100, payloadBytes: 16 });
    expect(letter.reason).toBe('REC_OVERSIZE');
    expect(letter.message).toContain('101 bytes');
    expect(letter.message).toContain('100-byte limit');
  });

  it('rejects text that is not JSON as REC_DECODE', () => {
    for (const text of ['{"event_id":', 'hello', Buffer.from([0x7b, 0x00])]) {
      const letter = rejected(text);
      expect(letter.reason).toBe('REC_DECODE');
      expect(letter.message).toMatch(/^not valid JSON: /);
    }
  });

  it('rejects bytes that are not UTF-8 as REC_ENCODING instead of guessing characters', () => {
    const letter = rejected(Buffer.from([0xff, 0xfe, 0x00]));
    expect(letter.reason).toBe('REC_ENCODING');
    expect(letter.message).toMatch(/UTF-8/);
  });

  it('keeps where the record came from and a truncated payload in the dead letter', () => {
    const letter = rejected('x'.repeat(40));
    expect(letter).toEqual({
      origin: ORIGIN,
      reason: 'REC_DECODE',
      message: expect.any(String),
      payload: 'x'.repeat(16),
      payloadBytes: 40,
      key: 'k-1',
      receivedAt: 777,
    });
  });

  it.each([
    ['a non-object', [1, 2], 'event: must be object'],
    ['ts as a string', { ...valid, ts: String(TS) }, 'ts: must be integer'],
    ['ts with a fraction', { ...valid, ts: TS + 0.5 }, 'ts: must be integer'],
    ['session_id as a number', { ...valid, session_id: 7 }, 'session_id: must be string'],
    ['price as a string', { ...valid, price: '9.99' }, 'price: must be number'],
    ['v other than 1', { ...valid, v: 2 }, 'v: '],
    ['an unknown type', { ...valid, type: 'hover' }, 'type: must be one of search, view, click'],
    ['ts before 2000', { ...valid, ts: 946_684_799_999 }, 'ts: must be >= 946684800000'],
    ['ts after 2100', { ...valid, ts: 4_102_444_800_001 }, 'ts: must be <= 4102444800000'],
    ['ts in seconds', { ...valid, ts: 1_700_000_000 }, 'ts: must be >='],
    ['a space in an id', { ...valid, session_id: 'a b' }, 'session_id: must match pattern'],
    ['a slash in an id', { ...valid, item_id: 'a/b' }, 'item_id: must match pattern'],
    ['an empty id', { ...valid, event_id: '' }, 'event_id: must match pattern'],
    ['an id over 128 characters', { ...valid, user_id: 'u'.repeat(129) }, 'user_id: must match pattern'],
    ['rating 0', { ...valid, type: 'rating', rating: 0 }, 'rating: must be >= 1'],
    ['rating 6', { ...valid, type: 'rating', rating: 6 }, 'rating: must be <= 5'],
    ['rating 2.5', { ...valid, type: 'rating', rating: 2.5 }, 'rating: must be integer'],
    ['a negative price', { ...valid, price: -0.01 }, 'price: must be >= 0'],
    ['quantity 0', { ...valid, quantity: 0 }, 'quantity: must be >= 1'],
  ])('rejects %s as REC_SCHEMA with a message naming the field', (_name, input, message) => {
    const letter = rejected(input);
    expect(letter.reason).toBe('REC_SCHEMA');
    expect(letter.message).toContain(message);
  });

  it.each(['extra', '__proto__', 'constructor', 'hasOwnProperty', 'toString'])('rejects the unknown field %s', (field) => {
    // Built as text: an object literal with __proto__ would set the prototype instead of a key.
    const text = `${JSON.stringify(valid).slice(0, -1)},${JSON.stringify(field)}:{"polluted":true}}`;
    const letter = rejected(text);
    expect(letter.reason).toBe('REC_SCHEMA');
    expect(letter.message).toBe(`event: unknown field ${JSON.stringify(field)}`);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('truncateUtf8', () => {
  it('returns the whole text when it fits', () => {
    expect(truncateUtf8(Buffer.from('héllo'), 6)).toBe('héllo');
    expect(truncateUtf8(Buffer.from('héllo'), 100)).toBe('héllo');
  });

  it('never splits a multi-byte character and keeps as much as fits', () => {
    const text = 'aé€😀b€é😀';
    const bytes = Buffer.from(text);
    const chars = [...text];
    for (let limit = 0; limit <= bytes.length; limit += 1) {
      const cut = truncateUtf8(bytes, limit);
      expect(cut).not.toContain('\uFFFD');
      expect(text.startsWith(cut)).toBe(true);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(limit);
      // Maximal: the next whole character would not have fitted.
      const next = chars[[...cut].length];
      if (next !== undefined) expect(Buffer.byteLength(cut + next)).toBeGreaterThan(limit);
    }
  });
});
