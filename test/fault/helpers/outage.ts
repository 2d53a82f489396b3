import type { ReplaySummary } from '../../../src/replay/run.ts';
import { services } from '../../helpers/services.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import { ClickHouseTally, committedLag, type StoredCounts } from './counts.ts';
import { EngineChild, type ChildExit } from './engine-child.ts';
import { faultNamespace, hostPort, type FaultNamespace } from './namespace.ts';
import { EngineSampler, type EngineSample } from './sampler.ts';
import { replayDiginetica, sleep, waitDrained } from './scenario.ts';
import { TcpProxy, type ProxyStats } from './tcp-proxy.ts';

export type Sink = 'redis' | 'clickhouse';

export interface OutageOptions {
  readonly sink: Sink;
  readonly outageMs: number;
  /** Valid events replayed (real Diginetica), at `rate` records/s while the engine runs. */
  readonly events: number;
  readonly rate: number;
  readonly invalidEvery: number;
  readonly maxInFlightEvents: number;
  readonly sinkRetries: number;
  /** How long the stream flows normally before the cut. */
  readonly cutAfterMs: number;
}

/** What happened around one outage; the test files assert on it and report it. */
export interface OutageResult {
  readonly produced: ReplaySummary['produced'];
  readonly cutAt: number;
  readonly restoredAt: number;
  /** Samples of the engine's /metrics taken while the sink was away. */
  readonly during: readonly EngineSample[];
  /** rec_sink_errors_total added during the outage (the fault reached the engine). */
  readonly sinkErrorsDuring: number;
  /** Distinct records in ClickHouse at the cut and at the restore. */
  readonly processedAtCut: number;
  readonly processedAtRestore: number;
  /** Uncommitted records of the group when the sink came back. */
  readonly lagAtRestore: number | null;
  /** From the restore until every record was stored and committed. */
  readonly drainMs: number;
  /** The engine process never stopped: the same pid before the cut and after the drain. */
  readonly survived: boolean;
  readonly exit: ChildExit;
  readonly counts: StoredCounts;
  readonly proxy: ProxyStats;
  readonly logTail: string;
}

/**
 * One sink outage against a child engine: a TCP proxy sits between the engine and the real sink; the
 * replay flows for `cutAfterMs`, the proxy cuts every connection and refuses new ones for `outageMs`,
 * then comes back; the run ends when every record is stored and committed.
 */
export async function runOutage(label: string, options: OutageOptions, track: (ns: FaultNamespace, engine: EngineChild, proxy: TcpProxy) => void): Promise<OutageResult> {
  const s = services();
  const upstream = hostPort(options.sink === 'redis' ? s.redisUrl : s.clickhouseUrl);
  const proxy = await TcpProxy.start(upstream.host, upstream.port);
  const pointAtProxy =
    options.sink === 'redis' ? { STREAMREC_REDIS_URL: `redis://127.0.0.1:${proxy.port}` } : { STREAMREC_CLICKHOUSE_URL: `http://127.0.0.1:${proxy.port}` };
  const ns = await faultNamespace(label, {
    ...pointAtProxy,
    STREAMREC_ENGINE_SINK_RETRIES: String(options.sinkRetries),
    STREAMREC_ENGINE_MAX_IN_FLIGHT_EVENTS: String(options.maxInFlightEvents),
  });
  const tally = new ClickHouseTally(ns.direct);
  const engine = EngineChild.start(ns, 'run');
  track(ns, engine, proxy);
  const sampler = new EngineSampler(engine).start();
  try {
    await waitFor(async () => (await engine.metric('rec_events_consumed_total')) ?? -1, (n) => n >= 0, { timeoutMs: 60_000, what: 'engine /metrics up' });
    const replay = replayDiginetica(ns.direct, { limit: options.events, invalidEvery: options.invalidEvery, rate: options.rate });
    await waitFor(() => tally.processed(), (n) => n > 0, { timeoutMs: 60_000, what: 'first records stored' });
    await sleep(options.cutAfterMs);

    const pid = engine.pid;
    const processedAtCut = await tally.processed();
    const errorsAtCut = (await engine.metric('rec_sink_errors_total')) ?? 0;
    const cutAt = Date.now();
    await proxy.cut();
    await sleep(options.outageMs);
    const errorsAtRestore = (await engine.metric('rec_sink_errors_total')) ?? 0;
    const processedAtRestore = await tally.processed();
    const lagAtRestore = await committedLag(ns.direct);
    const restoredAt = Date.now();
    await proxy.restore();

    const produced = (await replay).produced;
    const drainMs = await waitDrained(tally, ns.direct, produced, 180_000, `after the ${options.sink} outage`);
    sampler.stop();
    const survived = engine.running && engine.pid === pid;
    const counts = await tally.counts();
    const logTail = engine.logTail();
    const exit = await engine.terminate(15_000);
    return {
      produced,
      cutAt,
      restoredAt,
      during: sampler.between(cutAt, restoredAt),
      sinkErrorsDuring: errorsAtRestore - errorsAtCut,
      processedAtCut,
      processedAtRestore,
      lagAtRestore,
      drainMs,
      survived,
      exit,
      counts,
      proxy: proxy.stats(),
      logTail,
    };
  } finally {
    sampler.stop();
    await tally.close();
  }
}

/** rec_events_consumed_total over the last `windowMs` of the outage: 0 when consumption was paused. */
export function consumedInLast(result: OutageResult, windowMs: number): number {
  const tail = result.during.filter((s) => s.at >= result.restoredAt - windowMs);
  const first = tail[0];
  const last = tail.at(-1);
  return first === undefined || last === undefined ? Number.NaN : last.consumed - first.consumed;
}
