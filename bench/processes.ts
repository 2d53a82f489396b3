import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { EngineProcess } from '../scripts/demo/engine-process.ts';
import { resetNamespace } from '../scripts/demo/namespace.ts';
import { ensureTopics } from '../src/adapters/kafka/admin.ts';
import { createKafka } from '../src/adapters/kafka/client.ts';
import { createLogger } from '../src/adapters/log/pino.ts';
import type { Config } from '../src/config/config.ts';
import { loadConfig } from '../src/config/load.ts';
import type { BehaviourEvent } from '../src/domain/event.ts';
import { produceEvents } from './stream.ts';

/** One run of N engine processes in one consumer group over the same backlog. */
export interface ProcessRun {
  readonly processes: number;
  readonly eventsPerSecond: number;
  /** Highest resident set size of each process during the run, MiB. */
  readonly rssMiB: readonly number[];
  /** CPU seconds all processes used per 1,000 events (user + system, from /proc). */
  readonly cpuSecondsPer1k: number;
}

const PARTITIONS = 12;
const TICKS_PER_SECOND = 100;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** user + system CPU seconds of a live process, from /proc/<pid>/stat (fields 14 and 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? 0 : Number(match[1]) * 1024;
}

async function waitForLog(file: string, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(existsSync(file) && readFileSync(file, 'utf8').includes(text))) {
    if (Date.now() > deadline) throw new Error(`engine did not log "${text}" within ${timeoutMs} ms; see ${file}`);
    await sleep(200);
  }
}

/**
 * Starts `processes` engines (each its own Node process, as deployed) in one group on a fresh
 * 12-partition topic, waits until all run, then produces `events` as fast as the broker takes them and
 * measures until ClickHouse holds them all: the group's events/s, each process's peak RSS, CPU per event.
 */
export async function runProcesses(processes: number, label: string, events: readonly BehaviourEvent[], model: boolean): Promise<ProcessRun> {
  const env: Record<string, string> = {
    STREAMREC_KAFKA_EVENTS_TOPIC: `streamrec.bench.${label}`,
    STREAMREC_KAFKA_DEAD_LETTER_TOPIC: `streamrec.bench.${label}.dlq`,
    STREAMREC_KAFKA_ITEM_UPDATES_TOPIC: `streamrec.bench.${label}.items`,
    STREAMREC_KAFKA_COMMANDS_TOPIC: `streamrec.bench.${label}.commands`,
    STREAMREC_KAFKA_RULES_TOPIC: `streamrec.bench.${label}.rules`,
    STREAMREC_KAFKA_DELTAS_TOPIC: `streamrec.bench.${label}.deltas`,
    STREAMREC_KAFKA_PARTITIONS: String(PARTITIONS),
    STREAMREC_KAFKA_GROUP_ID: `bench-${label}`,
    STREAMREC_CLICKHOUSE_DATABASE: `streamrec_bench_${label.replace(/\W/g, '_')}`,
    STREAMREC_REDIS_KEY_PREFIX: `bench:${label}:`,
    STREAMREC_METRICS_PORT: '0',
    STREAMREC_MODEL_ENABLED: String(model),
    STREAMREC_LOG_LEVEL: 'info',
  };
  const config: Config = loadConfig({ ...process.env, ...env });
  const kafka = createKafka(config.kafka, createLogger({ level: 'warn' }), '-bench');
  await ensureTopics(kafka, config.kafka);
  const logs = await mkdtemp(join(tmpdir(), `streamrec-bench-${label}-`));
  const engines = Array.from({ length: processes }, (_, i) => ({
    log: join(logs, `p${i}.log`),
    process: new EngineProcess({ ...env, STREAMREC_ENGINE_INSTANCE: `${label}-p${i}` }, join(logs, `p${i}.log`)),
    peak: 0,
  }));
  const clickhouse = createClient({ url: config.clickhouse.url, database: config.clickhouse.database, username: config.clickhouse.username, password: config.clickhouse.password });
  try {
    for (const engine of engines) await waitForLog(engine.log, '"msg":"engine running"', 180_000);
    // Let the group settle on its members first: the figure is steady-state consumption, not joining.
    await sleep(5000);
    const pids = engines.map((engine) => engine.process.pid ?? 0);
    const cpuBefore = pids.map(cpuSeconds);
    const started = performance.now();
    await produceEvents(kafka, config.kafka.eventsTopic, events, { rate: 0, stampNow: false, idSuffix: `-${label}` });
    for (;;) {
      engines.forEach((engine, i) => (engine.peak = Math.max(engine.peak, rssBytes(pids[i] ?? 0))));
      const rows = await (await clickhouse.query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' })).json<{ n: string }>().catch(() => []);
      if (Number(rows[0]?.n ?? 0) >= events.length) break;
      if (performance.now() - started > 900_000) throw new Error(`${processes} process(es) did not store ${events.length} events within 15 min; logs in ${logs}`);
      await sleep(100);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = pids.reduce((sum, pid, i) => sum + cpuSeconds(pid) - (cpuBefore[i] ?? 0), 0);
    return { processes, eventsPerSecond: events.length / seconds, rssMiB: engines.map((engine) => Math.round(engine.peak / 2 ** 20)), cpuSecondsPer1k: (cpu / events.length) * 1000 };
  } finally {
    for (const engine of engines) await engine.process.stop();
    await clickhouse.close();
    await resetNamespace(config).catch((error: unknown) => process.stderr.write(`bench: cleanup of ${label} failed: ${String(error)}\n`));
    await rm(logs, { recursive: true, force: true });
  }
}
