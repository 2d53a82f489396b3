import { describe, expect, it } from 'vitest';
import schema from '../../../schemas/events/item-update.v1.schema.json' with { type: 'json' };
import { decodeItemUpdate } from '../../../src/domain/decode.ts';
import { ITEM_UPDATE_FIELDS } from '../../../src/domain/item-update.ts';

const T0 = Date.UTC(2026, 0, 12);
const decode = (value: unknown) =>
  decodeItemUpdate({ origin: { topic: 'items', partition: 0, offset: '0' }, key: 'k', value: Buffer.from(JSON.stringify(value)), receivedAt: T0 }, { maxBytes: 4096, payloadBytes: 64 });

describe('item update v1', () => {
  it('ITEM_UPDATE_FIELDS are the schema properties, in order', () => {
    expect([...ITEM_UPDATE_FIELDS]).toEqual(Object.keys(schema.properties));
  });

  it('accepts a minimal and a full update', () => {
    expect(decode({ item_id: 'sku-1', ts: T0 })).toEqual({ ok: true, value: { item_id: 'sku-1', ts: T0 } });
    const full = { v: 1, item_id: 'sku-1', ts: T0, category_id: 'c1', brand: 'Acme', price: 19.9, stock: 3, text: 'Steel watch', vector: [0.1, -0.2, 0.3] };
    expect(decode(full)).toEqual({ ok: true, value: full });
  });

  it.each([
    [{ ts: T0 }, "item update: must have required property 'item_id'"],
    [{ item_id: 'bad id', ts: T0 }, 'item_id: must match pattern'],
    [{ item_id: 'a', ts: T0, vector: [1] }, 'vector: must NOT have fewer than 2 items'],
    [{ item_id: 'a', ts: T0, vector: [1, 'x'] }, 'vector.1: must be number'],
    [{ item_id: 'a', ts: T0, stock: -1 }, 'stock: must be >= 0'],
  ])('refuses %j with a REC_SCHEMA dead letter naming the field', (value, message) => {
    const result = decode(value);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.deadLetter.reason).toBe('REC_SCHEMA');
      expect(result.deadLetter.message).toContain(message);
    }
  });
});
