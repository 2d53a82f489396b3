import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import schema from '../../../schemas/config/engine.v1.schema.json' with { type: 'json' };
import type { Config } from '../../../src/config/config.ts';
import { CONFIG_FILE_ENV, listSettings, loadConfig, redactConfig } from '../../../src/config/load.ts';
import { RecError } from '../../../src/errors.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamrec-config-'));
  dirs.push(dir);
  const path = join(dir, 'engine.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function valueAt(config: Config, path: string): unknown {
  const [section = '', key = ''] = path.split('.');
  return (config as unknown as Record<string, Record<string, unknown>>)[section]?.[key];
}

function configError(env: Record<string, string>): RecError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof RecError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('fills every setting with its schema default when nothing is set', () => {
    const config = loadConfig({});
    for (const setting of listSettings()) expect(valueAt(config, setting.path), setting.path).toEqual(setting.defaultValue);
    expect(config.kafka.brokers).toEqual(['127.0.0.1:39092']);
    expect(config.sessions.inactivityMs).toBe(1_800_000);
  });

  it('does not read process.env when given an env object', () => {
    const saved = process.env['STREAMREC_KAFKA_PARTITIONS'];
    process.env['STREAMREC_KAFKA_PARTITIONS'] = '99';
    try {
      expect(loadConfig({}).kafka.partitions).toBe(4);
    } finally {
      if (saved === undefined) delete process.env['STREAMREC_KAFKA_PARTITIONS'];
      else process.env['STREAMREC_KAFKA_PARTITIONS'] = saved;
    }
  });

  it('parses environment overrides by the setting type', () => {
    const config = loadConfig({
      STREAMREC_KAFKA_PARTITIONS: ' 12 ',
      STREAMREC_KAFKA_SSL: 'true',
      STREAMREC_KAFKA_FROM_BEGINNING: '0',
      STREAMREC_KAFKA_BROKERS: 'a:9092, b:9093,',
      STREAMREC_SESSIONS_INACTIVITY_MS: '60000',
      STREAMREC_SESSIONS_ALLOWED_LATENESS_MS: '0',
      STREAMREC_LOG_LEVEL: 'debug',
      STREAMREC_CLICKHOUSE_DATABASE: 'analytics_2',
    });
    expect(config.kafka.partitions).toBe(12);
    expect(config.kafka.ssl).toBe(true);
    expect(config.kafka.fromBeginning).toBe(false);
    expect(config.kafka.brokers).toEqual(['a:9092', 'b:9093']);
    expect(config.sessions.inactivityMs).toBe(60_000);
    expect(config.sessions.allowedLatenessMs).toBe(0);
    expect(config.log.level).toBe('debug');
    expect(config.clickhouse.database).toBe('analytics_2');
  });

  it('layers defaults < file < environment', () => {
    const path = configFile({ kafka: { partitions: 8, clientId: 'from-file' }, clickhouse: { database: 'filedb' } });
    const config = loadConfig({ [CONFIG_FILE_ENV]: path, STREAMREC_KAFKA_PARTITIONS: '16' });
    expect(config.kafka.partitions).toBe(16);
    expect(config.kafka.clientId).toBe('from-file');
    expect(config.clickhouse.database).toBe('filedb');
    expect(config.kafka.groupId).toBe('streamrec-engine');
  });

  it('rejects unknown keys in the file, naming them', () => {
    const path = configFile({ kafka: { partitions: 2, bogusKey: 1 }, nonsense: {} });
    const error = configError({ [CONFIG_FILE_ENV]: path });
    expect(error.code).toBe('REC_CONFIG');
    expect(error.message).toContain('kafka.bogusKey: unknown setting');
    expect(error.message).toContain('nonsense: unknown setting');
  });

  it('reports every bad value in one REC_CONFIG error, naming where each came from', () => {
    const path = configFile({ redis: { feedTtlSeconds: 0 } });
    const error = configError({
      [CONFIG_FILE_ENV]: path,
      STREAMREC_KAFKA_PARTITIONS: 'many',
      STREAMREC_KAFKA_SSL: 'yes',
      STREAMREC_LOG_LEVEL: 'loud',
      STREAMREC_REDIS_URL: 'http://cache:6379',
    });
    expect(error.code).toBe('REC_CONFIG');
    expect(error.retriable).toBe(false);
    expect(error.message).toContain('STREAMREC_KAFKA_PARTITIONS="many"');
    expect(error.message).toContain('STREAMREC_KAFKA_SSL="yes"');
    expect(error.message).toContain('STREAMREC_LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace, silent');
    expect(error.message).toContain('STREAMREC_REDIS_URL="http://cache:6379"');
    expect(error.message).toContain(`${path}: redis.feedTtlSeconds`);
  });

  it('reports a missing or malformed config file as REC_CONFIG', () => {
    expect(configError({ [CONFIG_FILE_ENV]: join(tmpdir(), 'does-not-exist-streamrec.json') }).message).toContain('cannot read config file');
    expect(configError({ [CONFIG_FILE_ENV]: configFile('{ not json') }).message).toContain('is not valid JSON');
    expect(configError({ [CONFIG_FILE_ENV]: configFile('[1, 2]') }).message).toContain('must hold a JSON object');
  });

  it('requires the nodes of a ClickHouse cluster, naming the missing setting only', () => {
    const message = configError({ STREAMREC_CLICKHOUSE_CLUSTER: 'streamrec' }).message;
    expect(message).toContain('clickhouse.nodes: must be set');
    expect(message).not.toContain('"then"');
    expect(configError({ STREAMREC_CLICKHOUSE_CLUSTER: 'streamrec', STREAMREC_CLICKHOUSE_NODES: '' }).message).toContain('STREAMREC_CLICKHOUSE_NODES=""');
    expect(configError({ STREAMREC_CLICKHOUSE_CLUSTER: 'streamrec', STREAMREC_CLICKHOUSE_NODES: '127.0.0.1:8123' }).message).toContain('STREAMREC_CLICKHOUSE_NODES');
    const config = loadConfig({ STREAMREC_CLICKHOUSE_CLUSTER: 'streamrec', STREAMREC_CLICKHOUSE_NODES: 'http://a:8123,http://b:8123' });
    expect([config.clickhouse.cluster, config.clickhouse.nodes]).toEqual(['streamrec', 'http://a:8123,http://b:8123']);
  });

  it('rejects a misspelled STREAMREC_* variable but accepts the stack script\'s own', () => {
    expect(() => loadConfig({ STREAMREC_SESIONS_INACTIVITY_MS: '5' })).toThrow(/STREAMREC_SESIONS_INACTIVITY_MS: unknown setting/);
    expect(() => loadConfig({ STREAMREC_STACK_DIR: '/tmp/x', STREAMREC_KAFKA_PORT: '39092', STREAMREC_REDIS_PORT: '6379', STREAMREC_PROMETHEUS_URL: 'http://127.0.0.1:39090' })).not.toThrow();
    expect(() => loadConfig({ OTHER_APP_SETTING: 'x' })).not.toThrow();
  });

  it('returns a deeply frozen config', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.kafka)).toBe(true);
    expect(Object.isFrozen(config.kafka.brokers)).toBe(true);
    expect(() => {
      (config.kafka as { partitions: number }).partitions = 1;
    }).toThrow(TypeError);
    expect(() => (config.kafka.brokers as string[]).push('x:1')).toThrow(TypeError);
  });
});

describe('redactConfig', () => {
  it('masks passwords and Redis URL credentials, leaving the config itself untouched', () => {
    const config = loadConfig({
      STREAMREC_KAFKA_SASL_PASSWORD: 'kafka-secret',
      STREAMREC_CLICKHOUSE_PASSWORD: 'ch-secret',
      STREAMREC_REDIS_URL: 'redis://user:redis-secret@cache:6379/0',
    });
    const redacted = redactConfig(config);
    const text = JSON.stringify(redacted);
    for (const secret of ['kafka-secret', 'ch-secret', 'redis-secret', 'user:']) expect(text).not.toContain(secret);
    expect(redacted['redis']).toMatchObject({ url: 'redis://***:***@cache:6379/0' });
    expect(redacted['kafka']).toMatchObject({ saslPassword: '***' });
    expect(config.kafka.saslPassword).toBe('kafka-secret');
    expect(config.redis.url).toBe('redis://user:redis-secret@cache:6379/0');
  });

  it('leaves empty passwords and credential-free URLs as they are', () => {
    const redacted = redactConfig(loadConfig({}));
    expect(redacted['kafka']).toMatchObject({ saslPassword: '' });
    expect(redacted['clickhouse']).toMatchObject({ password: '' });
    expect(redacted['redis']).toMatchObject({ url: 'redis://127.0.0.1:6379' });
  });

  it('masks a Redis password that contains "@"', () => {
    const url = 'redis://:p@ss-word@cache:6379';
    expect(new URL(url).hostname).toBe('cache');
    const redacted = redactConfig(loadConfig({ STREAMREC_REDIS_URL: url }));
    expect(JSON.stringify(redacted)).not.toContain('ss-word');
  });
});

describe('listSettings', () => {
  /** Every leaf of the schema, found by walking it independently of listSettings. */
  function schemaLeaves(node: unknown, prefix: string[] = []): string[] {
    const properties = (node as { properties?: Record<string, unknown> }).properties;
    if (properties === undefined) return [prefix.join('.')];
    return Object.entries(properties).flatMap(([key, child]) => schemaLeaves(child, [...prefix, key]));
  }

  it('covers every leaf of the config schema, with an env name, a default and a description', () => {
    const settings = listSettings();
    expect(settings.map((s) => s.path).sort()).toEqual(schemaLeaves(schema).sort());
    expect(new Set(settings.map((s) => s.env)).size).toBe(settings.length);
    for (const setting of settings) {
      expect(setting.env).toMatch(/^STREAMREC_[A-Z]+_[A-Z0-9_]+$/);
      expect(setting.defaultValue, setting.path).not.toBeUndefined();
      expect(setting.description.length, setting.path).toBeGreaterThan(0);
    }
  });

  it('names env variables in upper snake case after the section', () => {
    const byPath = new Map(listSettings().map((s) => [s.path, s]));
    expect(byPath.get('kafka.maxBytesPerPartition')?.env).toBe('STREAMREC_KAFKA_MAX_BYTES_PER_PARTITION');
    expect(byPath.get('sessions.allowedLatenessMs')?.env).toBe('STREAMREC_SESSIONS_ALLOWED_LATENESS_MS');
    expect(byPath.get('kafka.saslMechanism')?.type).toBe('none | plain | scram-sha-256 | scram-sha-512');
    expect(byPath.get('kafka.brokers')?.type).toBe('array');
  });
});
