import { Ajv } from 'ajv';
import schema from '../../schemas/events/behaviour-event.v1.schema.json' with { type: 'json' };
import { describeSchemaError } from './decode.ts';
import type { BehaviourEvent } from './event.ts';

export type EventCheck = { readonly ok: true; readonly event: BehaviourEvent } | { readonly ok: false; readonly errors: readonly string[] };

// Same schema and wording as decoding (src/domain/decode.ts), but every error is collected: a browser
// beacon is answered with all that is wrong at once, while the engine only needs the first for a dead letter.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const validate = ajv.compile<BehaviourEvent>(schema);

/** Checks one parsed JSON value against the behaviour-event schema v1. */
export function checkEvent(value: unknown): EventCheck {
  if (validate(value)) return { ok: true, event: value };
  const errors = (validate.errors ?? []).map((error) => describeSchemaError(error));
  return { ok: false, errors: errors.length === 0 ? ['event: does not match the event schema'] : [...new Set(errors)] };
}
