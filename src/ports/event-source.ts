import type { Observable } from 'rxjs';

/** One raw record as read from the log. */
export interface SourceRecord {
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  /** Broker/producer timestamp, epoch ms. */
  readonly timestamp: number;
}

/**
 * A run of records from one partition. `ack()` must be called once every record of the batch has
 * been confirmed by the sinks; the source commits offsets only up to the highest batch whose
 * predecessors are all acknowledged, so acknowledging out of order is safe.
 */
export interface SourceBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly SourceRecord[];
  /** Wall-clock time the batch was handed to the pipeline (epoch ms). */
  readonly receivedAt: number;
  /**
   * Records of a partition this process just took over, read again to rebuild its sessions:
   * `restore` were already stored and learned from by the previous owner (sessions only);
   * `catch-up` were learned from but maybe not stored (sessions, feeds and sinks, no learning).
   * Absent: a live batch.
   */
  readonly phase?: 'restore' | 'catch-up';
  ack(): Promise<void>;
}

/** Partitions this process owns now; per-partition state outside this set must be dropped. */
export interface Assignment {
  readonly topic: string;
  readonly partitions: readonly number[];
}

export interface EventSource {
  /** Hot stream of batches; at most `maxInFlightEvents` unacknowledged events exist at once. */
  batches(): Observable<SourceBatch>;
  assignments(): Observable<Assignment>;
  /** Stops fetching, waits for in-flight acknowledgements (bounded), commits, disconnects. */
  stop(): Promise<void>;
}
