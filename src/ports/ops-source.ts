/** Live engine figures for the demo's ops panel. */
export interface OpsFigures {
  /** Valid events per second over the last interval, null before two samples. */
  readonly eventsPerSecond: number | null;
  readonly eventsTotal: number | null;
  readonly feedsWrittenTotal: number | null;
  /** Ingest → Redis freshness quantiles over the engine's life, ms. */
  readonly freshnessP50Ms: number | null;
  readonly freshnessP99Ms: number | null;
  /** Where the figures came from, and when (epoch ms). */
  readonly source: string;
  readonly at: number;
}

export interface OpsSource {
  figures(): Promise<OpsFigures>;
}
