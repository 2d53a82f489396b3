import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Services {
  readonly kafkaBrokers: readonly string[];
  readonly redisUrl: string;
  readonly clickhouseUrl: string;
}

const STACK_FILE = join(import.meta.dirname, '..', '..', '.stack', 'stack.json');

/**
 * Where the real services are: the environment (STREAMREC_*), else the file the local stack script
 * wrote. Integration tests never skip: without services they fail with this message.
 */
export function services(): Services {
  const env = process.env;
  let fromFile: Partial<Services> = {};
  if (existsSync(STACK_FILE)) fromFile = JSON.parse(readFileSync(STACK_FILE, 'utf8')) as Partial<Services>;
  const brokers = env['STREAMREC_KAFKA_BROKERS']?.split(',') ?? fromFile.kafkaBrokers;
  const redisUrl = env['STREAMREC_REDIS_URL'] ?? fromFile.redisUrl;
  const clickhouseUrl = env['STREAMREC_CLICKHOUSE_URL'] ?? fromFile.clickhouseUrl;
  if (brokers === undefined || redisUrl === undefined || clickhouseUrl === undefined) {
    throw new Error(`no services configured: run "bash scripts/stack/stack.sh up" (writes ${STACK_FILE}) or set STREAMREC_KAFKA_BROKERS, STREAMREC_REDIS_URL, STREAMREC_CLICKHOUSE_URL`);
  }
  return { kafkaBrokers: brokers, redisUrl, clickhouseUrl };
}

/** A name unique to this test run, valid as a topic, database, group and key prefix. */
export function uniqueName(label: string): string {
  return `t_${label}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}
