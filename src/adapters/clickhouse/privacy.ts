import type { ClickHouseClient } from '@clickhouse/client';
import { chCall } from './client.ts';
import { LOCAL_SUFFIX } from './cluster-ddl.ts';
import { identifier, literal } from './sql.ts';

/** Sessions named per delete statement (each a literal in the mutation's text). */
const SESSIONS_PER_MUTATION = 1000;

/** `column` is one of `values` (an always-false condition for none). */
function oneOf(column: string, values: readonly string[]): string {
  return values.length === 0 ? '0' : `has(${literal(values)}, ${column})`;
}

/**
 * Deletes from ClickHouse what identifies one user, by pseudonym: their events and interactions (by
 * user id, or by one of their sessions, which covers events sent before they logged in), the lists
 * served to them or their sessions, and the dead letters whose (redacted) payload or key holds their
 * pseudonym. Aggregate tables hold counts only. Deletes are ClickHouse mutations: issued here, applied
 * by the server in the background within seconds; `remaining` tells when nothing is left.
 * On a cluster a Distributed table takes no mutations: each node deletes from its `_local` shard.
 */
export class ClickHousePrivacy {
  private readonly db: string;

  constructor(
    private readonly client: ClickHouseClient,
    database: string,
    /** The nodes of clickhouse.cluster; none for a single server. */
    private readonly nodes: readonly ClickHouseClient[] = [],
  ) {
    this.db = identifier(database);
  }

  /** Every session id stored with the user's pseudonym. */
  async sessionsOf(pseudonym: string): Promise<string[]> {
    const rows = await this.query<{ session_id: string }>(`SELECT DISTINCT session_id FROM ${this.db}.events WHERE user_id = ${literal(pseudonym)}`);
    return rows.map((row) => row.session_id);
  }

  /** Issues the deletes for the user and their sessions. */
  async forget(pseudonym: string, sessions: readonly string[]): Promise<void> {
    const p = literal(pseudonym);
    const chunks: string[][] = [];
    for (let i = 0; i < sessions.length; i += SESSIONS_PER_MUTATION) chunks.push(sessions.slice(i, i + SESSIONS_PER_MUTATION));
    const deletes: [string, string][] = [
      ['events', `user_id = ${p}`],
      ['interactions', `user_id = ${p}`],
      ['recommendations', `owner_id = ${p}`],
      ['dead_letters', `position(payload, ${p}) > 0 OR record_key = ${p}`],
      ...chunks.flatMap((chunk): [string, string][] => [
        ['events', oneOf('session_id', chunk)],
        ['interactions', oneOf('session_id', chunk)],
        ['recommendations', `owner_kind = 'session' AND ${oneOf('owner_id', chunk)}`],
      ]),
    ];
    for (const [table, where] of deletes) await this.delete(table, where);
  }

  /** Rows still holding the user or one of their sessions, per table (all 0 once the deletes applied). */
  async remaining(pseudonym: string, sessions: readonly string[]): Promise<Record<string, number>> {
    const p = literal(pseudonym);
    const count = async (table: string, where: string): Promise<number> => Number((await this.query<{ n: string }>(`SELECT count() AS n FROM ${this.db}.${table} WHERE ${where}`))[0]?.n ?? 0);
    return {
      events: await count('events', `user_id = ${p} OR ${oneOf('session_id', sessions)}`),
      interactions: await count('interactions', `user_id = ${p} OR ${oneOf('session_id', sessions)}`),
      recommendations: await count('recommendations', `owner_id = ${p} OR (owner_kind = 'session' AND ${oneOf('owner_id', sessions)})`),
      dead_letters: await count('dead_letters', `position(payload, ${p}) > 0 OR record_key = ${p}`),
    };
  }

  /** Records a carried-out request (table `privacy_requests`). */
  async record(row: { readonly user_pseudonym: string; readonly instance: string; readonly requested_ms: number; readonly done_ms: number; readonly sessions: number }): Promise<void> {
    await chCall('insert into privacy_requests', () => this.client.insert({ table: `${this.db}.privacy_requests`, values: [row], format: 'JSONEachRow' }));
  }

  /**
   * Retention: deletes rows of events, interactions and recommendations whose event date, and dead
   * letters whose receipt, is more than `days` days back.
   */
  async expire(days: number, nowMs: number): Promise<void> {
    const cutoffDay = new Date(nowMs - days * 86_400_000).toISOString().slice(0, 10);
    for (const table of ['events', 'interactions', 'recommendations']) await this.delete(table, `event_date < toDate(${literal(cutoffDay)})`);
    await this.delete('dead_letters', `received_ms < ${literal(nowMs - days * 86_400_000)}`);
  }

  /** A delete mutation on the table, or on a cluster on each node's shard of it. */
  private async delete(table: string, where: string): Promise<void> {
    if (this.nodes.length === 0) {
      await this.command(this.client, `ALTER TABLE ${this.db}.${identifier(table)} DELETE WHERE ${where}`);
      return;
    }
    for (const node of this.nodes) await this.command(node, `ALTER TABLE ${this.db}.${identifier(table + LOCAL_SUFFIX)} DELETE WHERE ${where}`);
  }

  private async command(client: ClickHouseClient, statement: string): Promise<void> {
    await chCall(statement.slice(0, 80), () => client.command({ query: statement }));
  }

  private async query<T>(query: string): Promise<T[]> {
    return chCall(query.slice(0, 80), async () => (await this.client.query({ query, format: 'JSONEachRow' })).json<T>());
  }
}
