// Worker threads do not inherit the TypeScript loader of the main thread: register tsx, then load the
// worker itself (plain .mjs so that Node can run this file before any loader exists).
import { register } from 'tsx/esm/api';

register();
await import('./training-worker.ts');
