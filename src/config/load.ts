import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import schema from '../../schemas/config/engine.v1.schema.json' with { type: 'json' };
import { RecError } from '../errors.ts';
import type { Config } from './config.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface SchemaNode {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
}

/** One setting: its dotted path, environment variable, type, default and description (README table). */
export interface SettingInfo {
  readonly path: string;
  readonly env: string;
  readonly type: string;
  readonly defaultValue: unknown;
  readonly description: string;
}

const ENV_PREFIX = 'STREAMREC_';
/** Names a user sets to point at a JSON config file. */
export const CONFIG_FILE_ENV = 'STREAMREC_CONFIG';
/** STREAMREC_* variables read by the local stack script (scripts/stack/stack.sh) and Grafana provisioning, not by the engine. */
const TOOL_ENV = /^STREAMREC_(STACK_[A-Z_]+|KAFKA_(PORT|CONTROLLER_PORT|VERSION|HEAP|CACHE|PROBE)|REDIS_PORT|PROMETHEUS_(PORT|TARGET|URL|SCRAPE_INTERVAL)|GRAFANA_[A-Z_]+)$/;

function envName(section: string, key: string): string {
  const snake = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
  return `${ENV_PREFIX}${section.toUpperCase()}_${snake}`;
}

/** Every setting the schema defines, in schema order. */
export function listSettings(): SettingInfo[] {
  const root = schema as SchemaNode;
  const out: SettingInfo[] = [];
  for (const [section, node] of Object.entries(root.properties ?? {})) {
    for (const [key, leaf] of Object.entries(node.properties ?? {})) {
      out.push({
        path: `${section}.${key}`,
        env: envName(section, key),
        type: leaf.type ?? (leaf.enum === undefined ? 'string' : leaf.enum.join(' | ')),
        defaultValue: leaf.default,
        description: leaf.description ?? '',
      });
    }
  }
  return out;
}

function parseEnvValue(raw: string, type: string): Json {
  const text = raw.trim();
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  if (type === 'boolean') {
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
    return text;
  }
  if (type === 'array') return text.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
  return raw;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readConfigFile(path: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new RecError('REC_CONFIG', `cannot read config file ${path} (set by ${CONFIG_FILE_ENV})`, { cause });
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch (cause) {
    throw new RecError('REC_CONFIG', `config file ${path} is not valid JSON`, { cause });
  }
  if (!isObject(parsed)) throw new RecError('REC_CONFIG', `config file ${path} must hold a JSON object`);
  return parsed;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile<Config>(schema);

function describe(error: ErrorObject, sources: ReadonlyMap<string, string>): string {
  const path = error.instancePath.split('/').filter((p) => p.length > 0);
  const dotted = path.slice(0, 2).join('.');
  const where = sources.get(dotted) ?? (dotted.length > 0 ? dotted : 'config');
  if (error.keyword === 'additionalProperties') {
    const extra = String((error.params as { additionalProperty?: unknown }).additionalProperty);
    return `${where === 'config' ? '' : `${where}.`}${extra}: unknown setting`;
  }
  if (error.keyword === 'required') {
    // Only conditional requirements (if/then) reach here: every setting has a default.
    const missing = String((error.params as { missingProperty?: unknown }).missingProperty);
    return `${where}.${missing}: must be set with the settings given (see its row in the configuration table of README.md)`;
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return `${where}: must be one of ${allowed.map(String).join(', ')}`;
  }
  return `${where}: ${error.message ?? 'invalid'}`;
}

/**
 * Builds the configuration from defaults, an optional JSON file (`STREAMREC_CONFIG`) and
 * `STREAMREC_*` environment variables (highest precedence). Throws one REC_CONFIG error listing
 * every bad value; the result is deeply frozen.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const filePath = env[CONFIG_FILE_ENV];
  const doc: JsonObject = filePath === undefined || filePath === '' ? {} : readConfigFile(filePath);
  const sources = new Map<string, string>();
  if (filePath !== undefined && filePath !== '') {
    for (const [section, value] of Object.entries(doc)) {
      if (isObject(value)) for (const key of Object.keys(value)) sources.set(`${section}.${key}`, `${filePath}: ${section}.${key}`);
    }
  }
  for (const setting of listSettings()) {
    const raw = env[setting.env];
    if (raw === undefined) continue;
    const [section = '', key = ''] = setting.path.split('.');
    const target = isObject(doc[section]) ? (doc[section] as JsonObject) : {};
    target[key] = parseEnvValue(raw, setting.type);
    doc[section] = target;
    sources.set(setting.path, `${setting.env}=${JSON.stringify(raw)}`);
  }
  const known = new Set(listSettings().map((setting) => setting.env));
  const unknownEnv = Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && name !== CONFIG_FILE_ENV && !known.has(name) && !TOOL_ENV.test(name))
    .map((name) => `${name}: unknown setting (see the configuration table in README.md)`);
  const valid = validate(doc);
  if (!valid || unknownEnv.length > 0) {
    // An if/then failure is reported by the errors of its `then`; its own says only that.
    const messages = [...unknownEnv, ...(validate.errors ?? []).filter((error) => error.keyword !== 'if').map((error) => describe(error, sources))];
    throw new RecError('REC_CONFIG', `invalid configuration:\n  - ${[...new Set(messages)].join('\n  - ')}`);
  }
  return deepFreeze(doc) as unknown as Config;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The config with secrets masked, for logs. */
export function redactConfig(config: Config): JsonObject {
  const copy = JSON.parse(JSON.stringify(config)) as JsonObject;
  const kafka = copy['kafka'];
  if (isObject(kafka) && kafka['saslPassword'] !== '') kafka['saslPassword'] = '***';
  const clickhouse = copy['clickhouse'];
  if (isObject(clickhouse)) {
    if (clickhouse['password'] !== '') clickhouse['password'] = '***';
    if (typeof clickhouse['url'] === 'string') clickhouse['url'] = redactUrl(clickhouse['url']);
  }
  const api = copy['api'];
  if (isObject(api)) {
    if (Array.isArray(api['keys'])) api['keys'] = api['keys'].map(() => '***');
    if (api['publicKey'] !== '') api['publicKey'] = '***';
  }
  const redis = copy['redis'];
  if (isObject(redis) && typeof redis['url'] === 'string') redis['url'] = redactUrl(redis['url']);
  const privacy = copy['privacy'];
  if (isObject(privacy) && privacy['pseudonymKey'] !== '') privacy['pseudonymKey'] = '***';
  return copy;
}

/** Masks user and password of a URL the way a URL parser reads them (up to the last "@"). */
function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.username !== '') url.username = '***';
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return text.includes('@') ? '***' : text;
  }
}
