import type { ClickHouseClient } from '@clickhouse/client';
import type { BehaviourEvent } from '../../domain/event.ts';
import type { AnalyticsRows } from '../../ports/analytics-sink.ts';
import type { MinuteRows } from '../../runtime/minute-stats.ts';
import { chCall } from './client.ts';
import { deadLetterRow, eventRow, itemRow, recommendationRow } from './rows.ts';
import { identifier } from './sql.ts';

/** Inserts one combined batch into the four tables (JSONEachRow), in parallel. */
export class ClickHouseWriter {
  private readonly db: string;

  /** `variantOf`: the experiment arm stored with each event (the `variant` column); '' when absent. */
  constructor(
    private readonly client: ClickHouseClient,
    database: string,
    private readonly variantOf: (event: BehaviourEvent) => string = () => '',
  ) {
    this.db = identifier(database);
  }

  async insert(rows: AnalyticsRows): Promise<void> {
    await Promise.all([
      this.insertInto('events', rows.events.map((ingested) => eventRow(ingested, this.variantOf(ingested.event)))),
      this.insertInto('recommendations', rows.recommendations.map(recommendationRow)),
      this.insertInto('dead_letters', rows.deadLetters.map(deadLetterRow)),
      this.insertInto('items', (rows.items ?? []).map(itemRow)),
    ]);
  }

  /** The engine's per-minute figures; `writtenMs` versions the rows (the newest write of a minute wins). */
  async insertStats(rows: MinuteRows, writtenMs: number): Promise<void> {
    const seconds = (ms: number): number => Math.floor(ms / 1000);
    await Promise.all([
      this.insertInto('engine_metrics', rows.engineMetrics.map((row) => ({ ...row, minute: seconds(row.minute), written_ms: writtenMs }))),
      this.insertInto('model_evaluation', rows.evaluations.map((row) => ({ ...row, minute: seconds(row.minute), written_ms: writtenMs }))),
    ]);
  }

  private async insertInto(table: string, values: readonly object[]): Promise<void> {
    if (values.length === 0) return;
    await chCall(`insert of ${values.length} rows into ${table}`, () =>
      this.client.insert({ table: `${this.db}.${table}`, values: [...values], format: 'JSONEachRow' }),
    );
  }
}
