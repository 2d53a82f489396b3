import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../src/domain/decode.ts';
import { checkEvent } from '../../../src/domain/event-validator.ts';

const valid = { event_id: 'e1', type: 'view', ts: Date.UTC(2026, 0, 1), session_id: 's1', item_id: 'i1' };
const decode = (value: unknown) =>
  decodeRecord({ origin: { topic: 't', partition: 0, offset: '0' }, key: null, value: Buffer.from(JSON.stringify(value)), receivedAt: 0 }, { maxBytes: 65536, payloadBytes: 100 });

describe('checkEvent (the Feed API side of the event schema)', () => {
  it('accepts what decoding accepts and rejects what it rejects, with the same first message', () => {
    const cases: unknown[] = [valid, { ...valid, type: 'teleport' }, { ...valid, extra: 1 }, { ...valid, ts: 'x' }, { ...valid, item_id: undefined }, { type: 'search', event_id: 'e', ts: valid.ts, session_id: 's', query: 'q' }, [], null];
    for (const value of cases) {
      const checked = checkEvent(value);
      const decoded = decode(value);
      expect(checked.ok, JSON.stringify(value)).toBe(decoded.ok);
      if (!checked.ok && !decoded.ok) expect(checked.errors).toContain(decoded.deadLetter.message);
    }
  });

  it('lists every error at once', () => {
    const checked = checkEvent({ event_id: '', type: 'teleport', ts: 'now', session_id: 's', bogus: true });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.errors.length).toBeGreaterThanOrEqual(3);
  });
});
