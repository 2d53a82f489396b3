import { mkdtempSync, rmSync, utimesSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../../src/adapters/checkpoint/file-store.ts';
import { CandidateState } from '../../../src/domain/candidate-state.ts';
import { CHECKPOINT_FORMAT, type GlobalCheckpoint, type PartitionCheckpoint } from '../../../src/runtime/checkpoint.ts';
import { CANDIDATES } from '../../unit/helpers/fakes.ts';

const dir = mkdtempSync(join(tmpdir(), 'streamrec-store-'));
const candidates = new CandidateState(CANDIDATES).snapshot();
const global = (instance: string, createdAt: number): GlobalCheckpoint => ({ format: CHECKPOINT_FORMAT, instance, topic: 'ev/ents', createdAt, modelVersion: 'v', candidates, deltas: { positions: { '0': '5' }, seq: 3 } });

describe('FileCheckpointStore on disk', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the newest shared state any process wrote, and each partition where its owner left it', async () => {
    const a = new FileCheckpointStore(dir, 'a');
    const b = new FileCheckpointStore(dir, 'host:42');
    expect(await a.loadGlobal('ev/ents')).toBeNull();
    await a.saveGlobal(global('a', Date.now() - 1000), null);
    await b.saveGlobal(global('host:42', Date.now()), null);
    expect((await a.loadGlobal('ev/ents'))?.checkpoint.instance).toBe('host:42');
    const partition: PartitionCheckpoint = { format: CHECKPOINT_FORMAT, instance: 'a', topic: 'ev/ents', createdAt: 1, offset: '17', sessions: { partition: 3, maxEventTs: null, sessions: [] } };
    await a.savePartitions([partition]);
    expect((await b.loadPartition('ev/ents', 3))?.offset).toBe('17');
    expect(await b.loadPartition('ev/ents', 4)).toBeNull();
  });

  it('removes the shared state of a process not seen for a day, and keeps the others', async () => {
    const gone = new FileCheckpointStore(dir, 'gone');
    await gone.saveGlobal(global('gone', Date.now() - 3 * 86_400_000), null);
    const old = (Date.now() - 2 * 86_400_000) / 1000;
    utimesSync(join(dir, 'global', 'ev_ents', 'gone', 'state.json'), old, old);
    await new FileCheckpointStore(dir, 'a').saveGlobal(global('a', Date.now()), null);
    expect(existsSync(join(dir, 'global', 'ev_ents', 'gone'))).toBe(false);
    expect(existsSync(join(dir, 'global', 'ev_ents', 'host_42', 'state.json'))).toBe(true);
  });
});
