import { RecError } from '../errors.ts';

export const DAY_MS = 86_400_000;
/** Sessions start somewhere in the first 20 hours of their day, so they do not all begin at midnight. */
const MAX_SESSION_OFFSET_MS = 20 * 3_600_000;

/** Epoch ms of UTC midnight of a `YYYY-MM-DD` date; REC_DATA when the text is not such a date. */
export function parseDay(text: string, where: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = match === null ? Number.NaN : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) {
    throw new RecError('REC_DATA', `${where}: "${text}" is not a YYYY-MM-DD date`);
  }
  return ms;
}

/** A non-negative integer field (ms); REC_DATA otherwise. */
export function parseMillis(text: string, where: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new RecError('REC_DATA', `${where}: "${text}" is not a whole number of ms`);
  return Number(text);
}

/** Deterministic start time within the day for a session, derived from its id. */
export function sessionOffsetMs(sessionHash: number): number {
  return sessionHash % MAX_SESSION_OFFSET_MS;
}

export function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
