import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sum } from '../../../src/adapters/metrics/prom-text.ts';
import { LOG_DIR } from './engine-child.ts';
import type { EngineChild } from './engine-child.ts';

/** One look at a running engine. */
export interface EngineSample {
  readonly at: number;
  /** rec_inflight_events */
  readonly inFlight: number;
  /** rec_consumer_paused (0 or 1) */
  readonly paused: number;
  /** rec_events_consumed_total */
  readonly consumed: number;
  /** rec_sink_errors_total, all sinks */
  readonly sinkErrors: number;
  /** VmRSS of the process from /proc, bytes. */
  readonly rssBytes: number | null;
  /** V8 heap in use and reserved, and memory outside the heap (Buffers), bytes (prom-client defaults). */
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  readonly externalBytes: number;
}

/**
 * Polls an engine's /metrics and /proc every `intervalMs` until stopped. A poll can miss a short peak;
 * the figures are sampled maxima, and the tests say so.
 */
export class EngineSampler {
  readonly samples: EngineSample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(
    private readonly engine: EngineChild,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    return this;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const rssBytes = this.engine.rssBytes();
      const metrics = await this.engine.scrape();
      if (metrics === null) return;
      this.samples.push({
        at: Date.now(),
        inFlight: sum(metrics, 'rec_inflight_events'),
        paused: sum(metrics, 'rec_consumer_paused'),
        consumed: sum(metrics, 'rec_events_consumed_total'),
        sinkErrors: sum(metrics, 'rec_sink_errors_total'),
        rssBytes,
        heapUsedBytes: sum(metrics, 'rec_nodejs_heap_size_used_bytes'),
        heapTotalBytes: sum(metrics, 'rec_nodejs_heap_size_total_bytes'),
        externalBytes: sum(metrics, 'rec_nodejs_external_memory_bytes'),
      });
    } finally {
      this.busy = false;
    }
  }

  /** Writes the samples beside the engine's log (`<log>-samples.json`), for looking at a run afterwards. */
  save(): string {
    const file = join(LOG_DIR, `${this.engine.ns.name}-samples.json`);
    mkdirSync(LOG_DIR, { recursive: true });
    writeFileSync(file, JSON.stringify(this.samples));
    return file;
  }

  between(from: number, to: number): EngineSample[] {
    return this.samples.filter((s) => s.at >= from && s.at <= to);
  }

  peak(pick: (s: EngineSample) => number | null, from = 0, to = Number.POSITIVE_INFINITY): number {
    return this.between(from, to).reduce((max, s) => Math.max(max, pick(s) ?? 0), 0);
  }
}
