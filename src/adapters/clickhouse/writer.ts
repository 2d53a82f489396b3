import type { ClickHouseClient } from '@clickhouse/client';
import type { BehaviourEvent } from '../../domain/event.ts';
import type { AnalyticsRows } from '../../ports/analytics-sink.ts';
import type { MinuteRows } from '../../runtime/minute-stats.ts';
import { chCall } from './client.ts';
import type { Pseudonymizer } from '../../domain/pseudonym.ts';
import { deadLetterRow, eventRow, itemRow, recommendationRow } from './rows.ts';
import { identifier } from './sql.ts';

/** Inserts one combined batch into the four tables (JSONEachRow), in parallel. */
export class ClickHouseWriter {
  private readonly db: string;

  /**
   * `variantOf`: the experiment arm stored with each event (the `variant` column); '' when absent.
   * `privacy`: the pseudonymizer every user id passes through, and the topics keyed by user id.
   */
  constructor(
    private readonly client: ClickHouseClient,
    database: string,
    private readonly variantOf: (event: BehaviourEvent) => string = () => '',
    private readonly privacy: { readonly pseudonym: Pseudonymizer; readonly userKeyedTopics: ReadonlySet<string> } = { pseudonym: (id) => id, userKeyedTopics: new Set() },
  ) {
    this.db = identifier(database);
  }

  async insert(rows: AnalyticsRows): Promise<void> {
    const { pseudonym } = this.privacy;
    await Promise.all([
      this.insertInto('events', rows.events.map((ingested) => eventRow(ingested, this.variantOf(ingested.event), pseudonym))),
      this.insertInto('recommendations', rows.recommendations.map((write) => recommendationRow(write, pseudonym))),
      this.insertInto('dead_letters', rows.deadLetters.map((letter) => deadLetterRow(letter, pseudonym, this.privacy.userKeyedTopics.has(letter.origin.topic)))),
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
