import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../schemas/events/behaviour-event.v1.schema.json' with { type: 'json' };
import itemUpdateSchema from '../../schemas/events/item-update.v1.schema.json' with { type: 'json' };
import commandSchema from '../../schemas/events/command.v1.schema.json' with { type: 'json' };
import type { Command } from './command.ts';
import ruleSchema from '../../schemas/events/rule.v1.schema.json' with { type: 'json' };
import type { Rule, RuleChange } from './rules.ts';
import type { BehaviourEvent, DeadLetter, RecordOrigin } from './event.ts';
import type { ItemUpdate } from './item-update.ts';

export interface DecodeOptions {
  /** Records larger than this are rejected before parsing. */
  readonly maxBytes: number;
  /** Bytes of the raw payload kept in a dead letter. */
  readonly payloadBytes: number;
}

export interface RawRecord {
  readonly origin: RecordOrigin;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly receivedAt: number;
}

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly deadLetter: DeadLetter };

export type DecodeResult = { readonly ok: true; readonly event: BehaviourEvent } | { readonly ok: false; readonly deadLetter: DeadLetter };

// strictRequired is off because the if/then branches name properties defined at the top level.
const ajv = new Ajv({ allErrors: false, strict: true, strictRequired: false, allowUnionTypes: true });
const validateEvent = ajv.compile<BehaviourEvent>(schema);
const validateItemUpdate = ajv.compile<ItemUpdate>(itemUpdateSchema);
const validateCommand = ajv.compile<Command>(commandSchema);
const validateRule = ajv.compile<Rule>(ruleSchema);
// Fatal: a wrong encoding must be rejected, not silently turned into U+FFFD inside ids or queries.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** One schema error as a short sentence naming the field (shared by decoding and the Feed API). */
export function describeSchemaError(error: ErrorObject, what = 'event'): string {
  const where = error.instancePath === '' ? what : error.instancePath.slice(1).replace(/\//g, '.');
  if (error.keyword === 'additionalProperties') {
    const extra = String((error.params as { additionalProperty?: unknown }).additionalProperty);
    return `${where}: unknown field ${JSON.stringify(extra.slice(0, 64))}`;
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return `${where}: must be one of ${allowed.map(String).join(', ')}`;
  }
  return `${where}: ${error.message ?? 'invalid'}`;
}

/** Cuts a UTF-8 buffer to at most `bytes` bytes without splitting a character. */
export function truncateUtf8(value: Buffer, bytes: number): string {
  if (value.length <= bytes) return value.toString('utf8');
  let end = bytes;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && ((value[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return value.subarray(0, end).toString('utf8');
}

export type CheckResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Checks a parsed value; `error` names what is wrong. */
export type ValueCheck<T> = (parsed: unknown) => CheckResult<T>;

/** A value check from a compiled JSON schema, its errors phrased by describeSchemaError. */
function schemaCheck<T>(validate: ValidateFunction<T>, what: string): ValueCheck<T> {
  return (parsed) => {
    if (validate(parsed)) return { ok: true, value: parsed };
    const first = validate.errors?.[0];
    return { ok: false, error: first === undefined ? `does not match the ${what} schema` : describeSchemaError(first, what) };
  };
}

const checkEventSchema = schemaCheck(validateEvent, 'event');
const checkItemUpdateSchema = schemaCheck(validateItemUpdate, 'item update');
const checkCommandSchema = schemaCheck(validateCommand, 'command');
const checkRuleSchema = schemaCheck(validateRule, 'rule');

/** A JSON-parseable, schema-valid event, or a dead letter saying exactly why not. Never throws. */
export function decodeRecord(record: RawRecord, options: DecodeOptions): DecodeResult {
  const decoded = decodeJson(record, options, checkEventSchema, 'event');
  return decoded.ok ? { ok: true, event: decoded.value } : decoded;
}

/** A JSON-parseable, schema-valid item update, or a dead letter saying exactly why not. Never throws. */
export function decodeItemUpdate(record: RawRecord, options: DecodeOptions): Decoded<ItemUpdate> {
  return decodeJson(record, options, checkItemUpdateSchema, 'item update');
}

export function decodeCommand(record: RawRecord, options: DecodeOptions): Decoded<Command> {
  return decodeJson(record, options, checkCommandSchema, 'command');
}

/** A record of the rules topic: a rule, or (no value, the rule's id as key) its deletion. */
export function decodeRuleChange(record: RawRecord, options: DecodeOptions): Decoded<RuleChange> {
  if (record.value === null) {
    if (record.key === null || record.key === '') return { ok: false, deadLetter: deadLetterOf(record, options, 'REC_EMPTY', 'rule tombstone without a key: nothing says which rule to delete') };
    return { ok: true, value: { kind: 'delete', id: record.key } };
  }
  const decoded = decodeJson(record, options, checkRuleSchema, 'rule');
  return decoded.ok ? { ok: true, value: { kind: 'upsert', rule: decoded.value } } : decoded;
}

/** Checks one rule of a rules file; the error lists what is wrong. */
export function checkRule(value: unknown): { readonly ok: true; readonly rule: Rule } | { readonly ok: false; readonly error: string } {
  if (validateRule(value)) return { ok: true, rule: value };
  const first = validateRule.errors?.[0];
  return { ok: false, error: `${first?.instancePath === '' ? 'rule' : `rule${first?.instancePath ?? ''}`}: ${first?.message ?? 'invalid'}` };
}

/** Turns a record that cannot become a value into its dead letter (the payload kept, truncated). */
export function deadLetterOf(record: RawRecord, options: DecodeOptions, reason: DeadLetter['reason'], message: string): DeadLetter {
  const value = record.value ?? Buffer.alloc(0);
  return { origin: record.origin, reason, message, payload: truncateUtf8(value, options.payloadBytes), payloadBytes: value.length, key: record.key, receivedAt: record.receivedAt };
}

/**
 * The steps every record of a topic goes through: not empty, not oversize, UTF-8, JSON, then `check`;
 * each failure becomes a dead letter with its reason. Never throws.
 */
export function decodeJson<T>(record: RawRecord, options: DecodeOptions, check: ValueCheck<T>, what: string): Decoded<T> {
  const value = record.value ?? Buffer.alloc(0);
  const reject = (reason: DeadLetter['reason'], message: string): Decoded<T> => ({
    ok: false,
    deadLetter: deadLetterOf(record, options, reason, message),
  });
  if (value.length === 0) return reject('REC_EMPTY', 'empty record value (tombstone or blank message)');
  if (value.length > options.maxBytes) {
    return reject('REC_OVERSIZE', `record is ${value.length} bytes, over the ${options.maxBytes}-byte limit`);
  }
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return reject('REC_ENCODING', `not valid UTF-8 (${what}s are UTF-8 JSON)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error: unknown) {
    return reject('REC_DECODE', `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const checked = check(parsed);
  return checked.ok ? { ok: true, value: checked.value } : reject('REC_SCHEMA', checked.error);
}
