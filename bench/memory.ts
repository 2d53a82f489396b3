/**
 * Memory per 100k active sessions and per 100k items, each in a fresh heap: run with
 * `node --expose-gc --import tsx bench/memory.ts` (npm run bench does); prints one JSON object.
 */
import { CandidateState } from '../src/domain/candidate-state.ts';
import { Covisitation } from '../src/domain/covisitation.ts';
import type { BehaviourEvent } from '../src/domain/event.ts';
import { mulberry32 } from '../src/domain/random.ts';
import { SessionKnn } from '../src/domain/session-knn.ts';
import { SessionWindows } from '../src/domain/session-windows.ts';
import { loadConfig } from '../src/config/load.ts';
import { SessionModel } from '../src/model/session-model.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const runGc = gc;

function used(): { heap: number; total: number } {
  for (let i = 0; i < 3; i += 1) runGc();
  const m = process.memoryUsage();
  // `external` already includes `arrayBuffers` (typed arrays); adding both counted the model twice.
  return { heap: m.heapUsed, total: m.heapUsed + m.external };
}

const N = 100_000;
const MiB = 1024 * 1024;
const random = mulberry32(7);
const config = loadConfig({});
const T0 = Date.UTC(2026, 0, 1);
/** Diginetica-like sessions: 5 events over a 100k-item catalogue in 1,000 categories. */
const event = (session: number, step: number): BehaviourEvent => {
  const item = Math.floor(random() * N);
  return { event_id: `m-${session}-${step}`, type: 'view', ts: T0 + session * 10 + step, session_id: `session-${session}`, item_id: `${100000 + item}`, category_id: `${item % 1000}` };
};

const base = used();
const windows = new SessionWindows({ lastItems: config.sessions.lastItems, maxEventsPerSession: config.sessions.maxEventsPerSession, inactivityMs: 365 * 86_400_000, allowedLatenessMs: 60_000, maxSessions: 2 * N });
for (let s = 0; s < N; s += 1) for (let k = 0; k < 5; k += 1) windows.of(0).apply(event(s, k), T0);
const afterSessions = used();
const sessionBytes = (afterSessions.total - base.total) / windows.of(0).size;

// Candidate state after 100k sessions over a 100k-item catalogue. Session-kNN grows with the past
// sessions it keeps (here 100k), the other sources with the items; each is also measured alone.
// Ranker learning is off: it changes no state size, only time.
const sources = { ...config.candidates, covisitMaxItems: 2 * N, knnMaxSessions: N, trendingMaxItems: 2 * N, rankerSampleRate: 0 };
const feed = (candidates: CandidateState): void => {
  for (let s = 0; s < N; s += 1) {
    const items: string[] = [];
    for (let k = 0; k < 5; k += 1) {
      const e = event(s, k);
      candidates.observe(e, { sequence: [...items], categories: new Map(), purchased: new Map(), now: e.ts, self: e.session_id }, e.ts);
      items.push(e.item_id ?? '');
    }
    if (s % 100 === 0) candidates.commitBatch();
  }
  candidates.commitBatch();
};
const before = used();
const candidates = new CandidateState(sources);
feed(candidates);
const afterCandidates = used();
// Session-kNN alone on the same sessions: it grows with the past sessions it keeps, the rest of the
// candidate state with the catalogue.
const knn = new SessionKnn({ k: sources.knnNeighbours, candidates: sources.knnCandidates, maxSessions: N, maxItemsPerSession: 50, sequentialK: 200 });
for (let s = 0; s < N; s += 1) for (let k = 0; k < 5; k += 1) knn.observe(`session-${s}`, event(s, k).item_id ?? '');
const afterItemsOnly = used();
const knnBytes = afterItemsOnly.total - afterCandidates.total;
const itemStateBytes = afterCandidates.total - before.total - knnBytes;
// Co-visitation alone (the largest part of the item state), on sessions like the ones above.
const covisit = new Covisitation({ neighbours: sources.covisitNeighbours, window: sources.covisitWindow, halfLifeMs: sources.covisitHalfLifeMs, maxItems: 2 * N });
for (let s = 0; s < N; s += 1) {
  const items: string[] = [];
  for (let k = 0; k < 5; k += 1) {
    const e = event(s, k);
    covisit.observe(e.item_id ?? '', items.toReversed(), e.ts);
    items.push(e.item_id ?? '');
  }
}
const afterCovisit = used();
const covisitBytes = afterCovisit.total - afterItemsOnly.total;
const model = new SessionModel({ maxItems: N, dim: config.model.dim });
for (let i = 0; i < N; i += 256) model.trainBatch(Array.from({ length: 256 }, (_, j) => ({ context: [`${100000 + ((i + j + 1) % N)}`], target: `${100000 + ((i + j) % N)}` })));
const afterModel = used();
const modelBytes = afterModel.total - afterCovisit.total;

if (candidates.covisit.size === 0 || knn.size === 0 || covisit.size === 0) throw new Error('nothing learned');
process.stdout.write(
  `${JSON.stringify({
    activeSessions: windows.of(0).size,
    bytesPerSession: Math.round(sessionBytes),
    items: N,
    candidateMiBPer100kItems: Math.round(((afterCandidates.total - before.total) / MiB) * 10) / 10,
    itemStateMiBPer100kItems: Math.round((itemStateBytes / MiB) * 10) / 10,
    covisitMiBPer100kItems: Math.round((covisitBytes / MiB) * 10) / 10,
    knnMiBPer100kSessions: Math.round((knnBytes / MiB) * 10) / 10,
    modelMiBPer100kItems: Math.round((modelBytes / MiB) * 10) / 10,
    modelItems: model.size,
    modelDim: config.model.dim,
  })}\n`,
);
