import type { Metrics } from '../ports/metrics.ts';

type Method = keyof Metrics;

/** One Metrics that forwards every call to each of `targets` (Prometheus and the per-minute stats). */
export function teeMetrics(...targets: readonly Metrics[]): Metrics {
  const fan = <K extends Method>(key: K): Metrics[K] => {
    const forward = (...args: Parameters<Metrics[K]>): void => {
      for (const target of targets) (target[key] as (...a: Parameters<Metrics[K]>) => void).apply(target, args);
    };
    return forward as Metrics[K];
  };
  return {
    eventsConsumed: fan('eventsConsumed'),
    eventsValid: fan('eventsValid'),
    eventsInvalid: fan('eventsInvalid'),
    eventsLate: fan('eventsLate'),
    eventsBot: fan('eventsBot'),
    batchSize: fan('batchSize'),
    stageSeconds: fan('stageSeconds'),
    sinkWrite: fan('sinkWrite'),
    freshness: fan('freshness'),
    sessionsActive: fan('sessionsActive'),
    sessionsEvicted: fan('sessionsEvicted'),
    stateSize: fan('stateSize'),
    inFlightEvents: fan('inFlightEvents'),
    partitionPaused: fan('partitionPaused'),
    consumerLag: fan('consumerLag'),
    consumerRestarted: fan('consumerRestarted'),
    modelBackend: fan('modelBackend'),
    modelUpdate: fan('modelUpdate'),
    itemUpdates: fan('itemUpdates'),
    feedsWritten: fan('feedsWritten'),
    onlineEvaluation: fan('onlineEvaluation'),
    stateDeltas: fan('stateDeltas'),
  };
}
