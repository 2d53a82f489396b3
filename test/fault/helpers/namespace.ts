import type { Config } from '../../../src/config/config.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { services, uniqueName } from '../../helpers/services.ts';
import { namespaceEnv } from '../../helpers/engine-config.ts';
import { freePort } from '../../helpers/free-port.ts';

/** One fault test's names (topic, group, database, key prefix) and the engine's environment. */
export interface FaultNamespace {
  readonly name: string;
  /** STREAMREC_* for the engine process: the real services unless a test points it at a proxy. */
  readonly env: Readonly<Record<string, string>>;
  /** The same namespace on the real services, for producing, counting and cleanup (never a proxy). */
  readonly direct: Config;
  readonly metricsPort: number;
  readonly metricsUrl: string;
}


/**
 * Names unique to one test (as `testConfig` makes them), the engine's environment for them, and a
 * fixed /metrics port so a restarted engine answers on the same URL. `overrides` are STREAMREC_*
 * settings; they are validated here, so a typo fails before any process starts. `kafkaBrokers` replaces
 * the stack's single broker (e.g. by the three-broker cluster) for the engine and `direct` alike.
 */
export async function faultNamespace(label: string, overrides: Readonly<Record<string, string>> = {}, kafkaBrokers?: readonly string[]): Promise<FaultNamespace> {
  const s = { ...services(), ...(kafkaBrokers === undefined ? {} : { kafkaBrokers: [...kafkaBrokers] }) };
  const name = uniqueName(label);
  const metricsPort = await freePort();
  const base: Record<string, string> = {
    ...namespaceEnv(name, s),
    STREAMREC_KAFKA_SESSION_TIMEOUT_MS: '6000',
    STREAMREC_KAFKA_STALL_TIMEOUT_MS: '10000',
    STREAMREC_METRICS_PORT: String(metricsPort),
    STREAMREC_ENGINE_INSTANCE: name,
    STREAMREC_LOG_LEVEL: 'info',
  };
  const env = { ...base, ...overrides };
  loadConfig(env);
  const direct = loadConfig({ ...env, STREAMREC_REDIS_URL: s.redisUrl, STREAMREC_CLICKHOUSE_URL: s.clickhouseUrl, STREAMREC_KAFKA_BROKERS: s.kafkaBrokers.join(',') });
  return { name, env, direct, metricsPort, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

/** host and port of an http:// or redis:// URL. */
export function hostPort(url: string): { readonly host: string; readonly port: number } {
  const parsed = new URL(url);
  const fallback = parsed.protocol.startsWith('redis') ? 6379 : 80;
  return { host: parsed.hostname, port: parsed.port === '' ? fallback : Number(parsed.port) };
}
