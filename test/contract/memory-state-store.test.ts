import { MemoryStateStore } from '../../src/adapters/memory/state-store.ts';
import { stateStoreContract } from './state-store.suite.ts';

let n = 0;
stateStoreContract('MemoryStateStore', async () => new MemoryStateStore(), () => `mem-${(n += 1)}`);
