import type { Metrics } from '../../ports/metrics.ts';

/** Metrics that go nowhere: for the evaluation harness and tests that do not look at them. */
export function noopMetrics(): Metrics {
  const noop = (): void => undefined;
  return {
    eventsConsumed: noop,
    eventsValid: noop,
    eventsInvalid: noop,
    eventsLate: noop,
    eventsBot: noop,
    batchSize: noop,
    stageSeconds: noop,
    sinkWrite: noop,
    freshness: noop,
    sessionsActive: noop,
    sessionsEvicted: noop,
    stateSize: noop,
    inFlightEvents: noop,
    partitionPaused: noop,
    consumerLag: noop,
    consumerRestarted: noop,
    modelBackend: noop,
    modelUpdate: noop,
    itemUpdates: noop,
    feedsWritten: noop,
    onlineEvaluation: noop,
    stateDeltas: noop,
  };
}
