import type { ClickHouseClient } from '@clickhouse/client';
import type { AnalyticsRows } from '../../ports/analytics-sink.ts';
import { chCall } from './client.ts';
import { deadLetterRow, eventRow, recommendationRow } from './rows.ts';
import { identifier } from './sql.ts';

/** Inserts one combined batch into the three tables (JSONEachRow), in parallel. */
export class ClickHouseWriter {
  private readonly db: string;

  constructor(
    private readonly client: ClickHouseClient,
    database: string,
  ) {
    this.db = identifier(database);
  }

  async insert(rows: AnalyticsRows): Promise<void> {
    const inserts: Promise<unknown>[] = [];
    const insert = (table: string, values: readonly object[]): void => {
      if (values.length === 0) return;
      inserts.push(
        chCall(`insert of ${values.length} rows into ${table}`, () =>
          this.client.insert({ table: `${this.db}.${table}`, values: [...values], format: 'JSONEachRow' }),
        ),
      );
    };
    insert('events', rows.events.map(eventRow));
    insert('recommendations', rows.recommendations.map(recommendationRow));
    insert('dead_letters', rows.deadLetters.map(deadLetterRow));
    await Promise.all(inserts);
  }
}
