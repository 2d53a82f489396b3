import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../src/domain/decode.ts';
import type { BehaviourEvent } from '../../../src/domain/event.ts';
import { RecError } from '../../../src/errors.ts';
import { loadDiginetica, type LoadOptions } from '../../../src/replay/diginetica.ts';
import { readSrgnnSessions } from '../../../src/replay/srgnn.ts';
import { readViews } from '../../../src/replay/views.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/diginetica');
const VIEWS_FILE = join(FIXTURES, 'raw-cikm2016/sample_train-item-views.csv.gz');
const SESSIONS_FILE = join(FIXTURES, 'srgnn-protocol/train_sessions.txt.gz');
const DAY = 86_400_000;
const BASE: LoadOptions = { dataDir: FIXTURES, sources: ['views', 'purchases', 'sessions'], limit: 0, shiftToNow: false, now: 0 };

const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A data folder holding only some of the fixture files. */
async function folderWith(files: readonly string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'streamrec-replay-'));
  temps.push(dir);
  for (const file of files) await cp(join(FIXTURES, file), join(dir, file));
  return dir;
}

function decode(event: BehaviourEvent) {
  const value = Buffer.from(JSON.stringify(event), 'utf8');
  const origin = { topic: 'test', partition: 0, offset: '0' };
  return decodeRecord({ origin, key: event.session_id, value, receivedAt: 0 }, { maxBytes: 65_536, payloadBytes: 256 });
}

function bySession(events: readonly BehaviourEvent[]): Map<string, BehaviourEvent[]> {
  const sessions = new Map<string, BehaviourEvent[]>();
  for (const event of events) sessions.set(event.session_id, [...(sessions.get(event.session_id) ?? []), event]);
  return sessions;
}

describe('loadDiginetica on the fixture folder', () => {
  it('turns every row of every source into one schema-valid event', async () => {
    const loaded = await loadDiginetica(BASE);
    expect(loaded.sources.views).toMatchObject({ events: 32, available: 32, skippedRows: 0 });
    expect(loaded.sources.purchases).toMatchObject({ events: 8, available: 8 });
    expect(loaded.sources.sessions).toMatchObject({ events: 49, available: 49 });
    expect(loaded.srgnnSessions).toEqual({ taken: 14, available: 14 });
    expect(loaded.events).toHaveLength(32 + 8 + 49);
    expect(loaded.viewDays).toEqual({ first: '2016-01-23', last: '2016-06-01' });
    expect(loaded.notices).toEqual([]);
    for (const event of loaded.events) {
      const result = decode(event);
      expect(result.ok, JSON.stringify(result)).toBe(true);
    }
    expect(new Set(loaded.events.map((e) => e.event_id)).size).toBe(loaded.events.length);
  });

  it('sorts globally and keeps each session in time order', async () => {
    const { events } = await loadDiginetica(BASE);
    for (let i = 1; i < events.length; i += 1) expect(events[i]!.ts).toBeGreaterThanOrEqual(events[i - 1]!.ts);
    // Session 2205's rows are out of order in the file and cross midnight; timeframe must order them.
    const rows2205 = [37669, 370520, 528275, 621765, 690000, 801831, 841901, 882792, 908201, 930301];
    const session = events.filter((e) => e.session_id === 'dg-2205');
    expect(session.map((e) => e.ts - session[0]!.ts)).toEqual(rows2205.map((t) => t - 37669));
    const start = session[0]!.ts - 37669;
    expect(start).toBeGreaterThanOrEqual(Date.UTC(2016, 4, 31));
    expect(start).toBeLessThan(Date.UTC(2016, 4, 31) + 20 * 3_600_000);
  });

  it('attaches categories and users where known', async () => {
    const { events } = await loadDiginetica(BASE);
    const find = (id: string) => events.find((e) => e.event_id === id);
    expect(find('dg-v-1-1')).toMatchObject({ type: 'view', item_id: '81766', category_id: '1010', session_id: 'dg-1' });
    expect(find('dg-v-1-1')).not.toHaveProperty('user_id');
    const unknownCategory = events.find((e) => e.item_id === '9062');
    expect(unknownCategory).toMatchObject({ user_id: '447', session_id: 'dg-1186' });
    expect(unknownCategory).not.toHaveProperty('category_id');
    const purchase = events.find((e) => e.type === 'purchase' && e.item_id === '35324');
    expect(purchase).toMatchObject({ event_id: 'dg-p-21173-35324-3', category_id: '1096', user_id: '7', quantity: 1 });
    for (const event of events.filter((e) => e.session_id.startsWith('sr-'))) {
      expect(event.item_id).toMatch(/^sr-\d+$/);
      expect(event).not.toHaveProperty('category_id');
    }
  });

  it('gives a purchase the clock of its view session and keeps duplicate rows apart', async () => {
    const loaded = await loadDiginetica(BASE);
    const session = bySession(loaded.events).get('dg-1178') ?? [];
    const [view, purchase] = session;
    expect(view?.type).toBe('view');
    expect(purchase?.type).toBe('purchase');
    // Same session start: the ts difference is exactly the difference of the two timeframes.
    expect(purchase!.ts - view!.ts).toBe(1979266075 - 75505);
    expect(loaded.purchaseDuplicateRows).toBe(1);
    const order75 = loaded.events.filter((e) => e.event_id.startsWith('dg-p-75-4151-'));
    expect(order75.map((e) => e.event_id).sort()).toEqual(['dg-p-75-4151-5', 'dg-p-75-4151-8']);
  });

  it('spreads SR-GNN sessions in line order over the view days with real gaps', async () => {
    const { events } = await loadDiginetica(BASE);
    const views = await readViews(VIEWS_FILE, new Map());
    const gaps = new Set(views.gaps);
    const sessions = [...bySession(events.filter((e) => e.session_id.startsWith('sr-')))];
    // Line 7 is blank, so ids jump from sr-6 to sr-8.
    expect(sessions.map(([id]) => id).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))).toEqual(
      [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15].map((n) => `sr-${n}`),
    );
    let previousStart = -Infinity;
    for (const [id, session] of sessions.sort((a, b) => Number(a[0].slice(3)) - Number(b[0].slice(3)))) {
      const first = session[0]!.ts;
      expect(first, id).toBeGreaterThanOrEqual(Date.UTC(2016, 0, 23));
      expect(first, id).toBeLessThan(Date.UTC(2016, 5, 2));
      expect(first, id).toBeGreaterThan(previousStart);
      previousStart = first;
      for (let i = 1; i < session.length; i += 1) expect(gaps.has(session[i]!.ts - session[i - 1]!.ts), id).toBe(true);
    }
  });

  it('is deterministic', async () => {
    const first = await loadDiginetica(BASE);
    const second = await loadDiginetica(BASE);
    expect(second).toEqual(first);
  });

  it('shifts every ts by one constant so the newest is just before now', async () => {
    const plain = await loadDiginetica(BASE);
    const now = Date.UTC(2030, 0, 1);
    const shifted = await loadDiginetica({ ...BASE, shiftToNow: true, now });
    expect(shifted.events.at(-1)!.ts).toBe(now - 1000);
    expect(shifted.shiftMs).toBe(now - 1000 - plain.events.at(-1)!.ts);
    expect(shifted.events.map((e) => e.ts - shifted.shiftMs)).toEqual(plain.events.map((e) => e.ts));
  });
});

describe('limit', () => {
  it('fills what raw views and purchases leave with whole SR-GNN sessions', async () => {
    const all = await loadDiginetica(BASE);
    const fileSessions = bySession(all.events.filter((e) => e.session_id.startsWith('sr-')));
    for (const limit of [40, 41, 50, 60, 70, 88]) {
      const loaded = await loadDiginetica({ ...BASE, limit });
      expect(loaded.events.length).toBeLessThanOrEqual(limit);
      expect(loaded.sources.views.events + loaded.sources.purchases.events).toBe(40);
      for (const [id, session] of bySession(loaded.events.filter((e) => e.session_id.startsWith('sr-')))) {
        expect(session.map((e) => e.item_id), id).toEqual(fileSessions.get(id)?.map((e) => e.item_id));
      }
    }
    expect((await loadDiginetica({ ...BASE, limit: 40 })).sources.sessions.events).toBe(0);
  });

  it('picks SR-GNN sessions across the whole file, not just the first lines', async () => {
    const result = await readSrgnnSessions(SESSIONS_FILE, { budget: 25, startMs: 0, endMs: DAY, gaps: [], seed: 1 });
    expect(result.events.length).toBeLessThanOrEqual(25);
    const lines = new Set(result.events.map((e) => Number(e.session_id.slice(3))));
    expect(Math.max(...lines)).toBeGreaterThan(10);
  });

  it('keeps the earliest raw events when the limit is below them', async () => {
    const all = await loadDiginetica(BASE);
    const loaded = await loadDiginetica({ ...BASE, limit: 10 });
    expect(loaded.events).toEqual(all.events.filter((e) => e.session_id.startsWith('dg-')).slice(0, 10));
    expect(loaded.notices.join('\n')).toMatch(/limit 10 is below the 40 raw views and purchases/);
  });
});

describe('missing or broken inputs', () => {
  it('rejects a missing data folder with REC_DATA', async () => {
    const error = await loadDiginetica({ ...BASE, dataDir: join(FIXTURES, 'nope') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecError);
    expect(error).toMatchObject({ code: 'REC_DATA', message: expect.stringMatching(/data folder .*nope does not exist/) });
  });

  it('skips a missing source with a notice and falls back for SR-GNN timing', async () => {
    const dir = await folderWith(['srgnn-protocol/train_sessions.txt.gz']);
    const loaded = await loadDiginetica({ ...BASE, dataDir: dir });
    expect(loaded.notices.join('\n')).toMatch(/views: no raw-cikm2016\/sample_train-item-views.csv.gz .* skipping this source/);
    expect(loaded.notices.join('\n')).toMatch(/purchases: no .* skipping this source/);
    expect(loaded.notices.join('\n')).toMatch(/uniform 5–120 s gaps/);
    expect(loaded.sources.sessions.events).toBe(49);
    for (const session of bySession(loaded.events).values()) {
      for (let i = 1; i < session.length; i += 1) {
        const gap = session[i]!.ts - session[i - 1]!.ts;
        expect(gap).toBeGreaterThanOrEqual(5_000);
        expect(gap).toBeLessThanOrEqual(120_000);
      }
    }
  });

  it('replays without categories when that file is missing', async () => {
    const dir = await folderWith(['raw-cikm2016/sample_train-item-views.csv.gz']);
    const loaded = await loadDiginetica({ ...BASE, dataDir: dir, sources: ['views'] });
    expect(loaded.notices.join('\n')).toMatch(/categories: no .*no category_id/);
    expect(loaded.events).toHaveLength(32);
    expect(loaded.events.some((e) => e.category_id !== undefined)).toBe(false);
  });

  it('fails with REC_DATA when no selected source has a file', async () => {
    const dir = await folderWith(['raw-cikm2016/sample_train-item-views.csv.gz']);
    await expect(loadDiginetica({ ...BASE, dataDir: dir, sources: ['purchases', 'sessions'] })).rejects.toMatchObject({
      code: 'REC_DATA',
      message: expect.stringMatching(/none of the selected sources \(purchases, sessions\)/),
    });
  });

  it('names the file and the missing column when a header is wrong', async () => {
    const dir = await folderWith(['raw-cikm2016/product-categories.csv.gz']);
    await cp(join(dir, 'raw-cikm2016/product-categories.csv.gz'), join(dir, 'raw-cikm2016/train-purchases.csv.gz'));
    await expect(loadDiginetica({ ...BASE, dataDir: dir, sources: ['purchases'] })).rejects.toMatchObject({
      code: 'REC_DATA',
      message: expect.stringMatching(/train-purchases.csv.gz: header "itemId;categoryId" lacks column\(s\) sessionId/),
    });
  });
});
