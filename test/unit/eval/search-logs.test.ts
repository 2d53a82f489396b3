import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cityId, readSearchLog } from '../../../src/eval/search-logs.ts';

const write = (name: string, text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'streamrec-search-logs-')), name);
  writeFileSync(path, text);
  return path;
};

describe('cityId', () => {
  it('turns a city into a category id: lower case, accents dropped, one dash between words', () => {
    expect(cityId('Kuching, Malaysia')).toBe('kuching-malaysia');
    expect(cityId('São Paulo, Brazil')).toBe('sao-paulo-brazil');
    expect(cityId(' -- ')).toBe('');
    expect(cityId('東京, Japan')).toBe('japan');
  });
});

describe('readSearchLog', () => {
  it('reads a trivago session log: searches, item views and clickouts with their city as category, in time order', async () => {
    const path = write(
      'trivago.csv',
      [
        'session_id,user_id,timestamp,step,action_type,reference,platform,city,device,current_filters,impressions,prices',
        's1,U1,100,2,interaction item image,111,MY,"Kuching, Malaysia",mobile,,,',
        's1,U1,100,1,search for poi,Kuching International,MY,"Kuching, Malaysia",mobile,,,',
        's1,U1,102,3,clickout item,111,MY,"Kuching, Malaysia",mobile,,111|222,10|20',
        's1,U1,103,4,filter selection,Sort by Price,MY,"Kuching, Malaysia",mobile,,,',
      ].join('\n'),
    );
    const log = await readSearchLog(path);
    expect(log.format).toBe('trivago');
    expect(log.events.map((e) => [e.type, e.ts, e.item_id ?? e.query, e.category_id])).toEqual([
      ['search', 100_001, 'Kuching International', undefined],
      ['view', 100_002, '111', 'kuching-malaysia'],
      ['click', 102_003, '111', 'kuching-malaysia'],
    ]);
    expect(log.events.every((e) => e.session_id === 'tv-s1' && e.user_id === 'U1')).toBe(true);
  });

  it('reads a Best Buy log: one search per session, query time and query, then each click with its category', async () => {
    const path = write(
      'bestbuy.csv',
      [
        'subset,session,query_time,query,click_time,sku,category',
        'a,1,2011-09-01 10:00:00.000,halo,2011-09-01 10:00:05.000,9001,cat1',
        'a,1,2011-09-01 10:00:00.000,halo,2011-09-01 10:00:09.000,9002,cat1',
      ].join('\n'),
    );
    const log = await readSearchLog(path);
    expect(log.format).toBe('bestbuy');
    expect(log.events.map((e) => [e.type, e.item_id ?? e.query, e.category_id])).toEqual([
      ['search', 'halo', undefined],
      ['click', '9001', 'cat1'],
      ['click', '9002', 'cat1'],
    ]);
  });

  it('refuses a CSV that is neither layout, naming the file', async () => {
    const path = write('other.csv', 'a,b\n1,2\n');
    await expect(readSearchLog(path)).rejects.toThrow(/other\.csv: neither a Best Buy/);
  });
});
