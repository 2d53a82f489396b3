import { describe, expect, it } from 'vitest';
import schema from '../../../schemas/events/behaviour-event.v1.schema.json' with { type: 'json' };
import { EVENT_TYPES, type BehaviourEvent } from '../../../src/domain/event.ts';

/** Every key of BehaviourEvent, checked by the compiler both ways (missing and extra keys fail). */
const EVENT_KEYS = {
  v: true,
  event_id: true,
  type: true,
  ts: true,
  session_id: true,
  user_id: true,
  item_id: true,
  query: true,
  category_id: true,
  price: true,
  quantity: true,
  rating: true,
  recommendation_id: true,
  device: true,
  tenant: true,
} as const satisfies Record<keyof BehaviourEvent, true>;

/** The keys BehaviourEvent declares as required (non-optional). */
const REQUIRED = { event_id: true, type: true, ts: true, session_id: true } as const satisfies {
  [K in keyof BehaviourEvent as undefined extends BehaviourEvent[K] ? never : K]-?: true;
};

describe('BehaviourEvent and its JSON Schema', () => {
  it('EVENT_TYPES equals the schema enum, in order', () => {
    expect([...EVENT_TYPES]).toEqual(schema.properties.type.enum);
  });

  it('the schema defines exactly the properties of the BehaviourEvent type', () => {
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(EVENT_KEYS).sort());
    expect(schema.additionalProperties).toBe(false);
  });

  it('the schema requires exactly the non-optional properties', () => {
    expect([...schema.required].sort()).toEqual(Object.keys(REQUIRED).sort());
  });
});
