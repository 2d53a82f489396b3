// Throwaway measurement: one online pass over Diginetica (SR-GNN protocol), then HR@20 / MRR@20.
// Run: npx tsx bench/model/diginetica.ts mode=valid|test dim=64 loss=sampled-softmax neg=256 lr=0.05 \
//        scorers=wasm,ts tsLimit=5000
import { selectBackend } from '../../src/adapters/model/tf-backend.ts';
import { TfScorer } from '../../src/adapters/model/tf-scorer.ts';
import { readTestPrefixes, readTrainSessions, type TestPrefix } from '../../src/eval/srgnn-data.ts';
import type { LossKind } from '../../src/model/options.ts';
import { SessionModel } from '../../src/model/session-model.ts';
import type { TrainingExample } from '../../src/model/trainer.ts';

const DIR = '/work/shared/data/diginetica/srgnn-protocol';
const args = new Map(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const num = (key: string, fallback: number): number => (args.has(key) ? Number(args.get(key)) : fallback);
const mode = args.get('mode') ?? 'valid';
const scorers = (args.get('scorers') ?? 'wasm').split(',');
const batchSize = num('batch', 64);

const sessions: string[][] = [];
for await (const s of readTrainSessions(DIR)) sessions.push(s);
let train = sessions;
let evalRows: TestPrefix[];
if (mode === 'valid') {
  const cut = Math.floor(sessions.length * 0.95);
  train = sessions.slice(0, cut);
  evalRows = [];
  for (const s of sessions.slice(cut)) for (let t = 1; t < s.length; t += 1) evalRows.push({ target: s[t] ?? '', prefix: s.slice(0, t) });
} else {
  evalRows = await readTestPrefixes(DIR);
}

const model = new SessionModel({
  maxItems: 50_000,
  dim: num('dim', 64),
  negatives: num('neg', 256),
  learningRate: num('lr', 0.05),
  maxContext: num('ctx', 10),
  clipNorm: num('clip', 1),
  rollbackFactor: num('rollback', 3),
  loss: (args.get('loss') ?? 'sampled-softmax') as LossKind,
  seed: num('seed', 42),
});
const L = model.options.maxContext;

let batch: TrainingExample[] = [];
let examples = 0;
let lossSum = 0;
let batches = 0;
const t0 = performance.now();
for (const s of train) {
  for (let t = 1; t < s.length; t += 1) {
    batch.push({ context: s.slice(Math.max(0, t - L), t).reverse(), target: s[t] ?? '' });
    if (batch.length === batchSize) {
      const r = model.trainBatch(batch);
      examples += r.examples;
      lossSum += r.loss;
      batches += 1;
      batch = [];
    }
  }
}
if (batch.length > 0) examples += model.trainBatch(batch).examples;
const trainS = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ mode, options: model.options, examples, trainS: +trainS.toFixed(1), examplesPerS: Math.round(examples / trainS), meanLoss: +(lossSum / batches).toFixed(3), stats: model.stats }));

const contexts = evalRows.map((r) => r.prefix.slice(-L).reverse());
function metrics(lists: readonly (readonly string[])[], rows: readonly TestPrefix[]): { hr20: number; mrr20: number } {
  let hits = 0;
  let rr = 0;
  for (const [i, list] of lists.entries()) {
    const rank = list.indexOf(rows[i]?.target ?? '');
    if (rank >= 0 && rank < 20) {
      hits += 1;
      rr += 1 / (rank + 1);
    }
  }
  return { hr20: +((100 * hits) / rows.length).toFixed(2), mrr20: +((100 * rr) / rows.length).toFixed(2) };
}

if (scorers.includes('wasm')) {
  const backend = await selectBackend({ preferred: 'wasm' });
  const scorer = new TfScorer(backend.tf);
  model.setBatchScorer(scorer);
  const lists: string[][] = [];
  const t1 = performance.now();
  for (let start = 0; start < contexts.length; start += 64) {
    const out = await model.topKBatch(contexts.slice(start, start + 64), 20);
    for (const l of out) lists.push(l.map((r) => r.item));
  }
  const scoreS = (performance.now() - t1) / 1000;
  console.log(JSON.stringify({ scorer: scorer.name, rows: contexts.length, ...metrics(lists, evalRows), prefixesPerS: Math.round(contexts.length / scoreS), refreshMs: +scorer.lastRefreshMs.toFixed(1), items: model.size }));
  const limit = Math.min(contexts.length, num('tsLimit', contexts.length));
  console.log(JSON.stringify({ scorer: `${scorer.name} (first ${limit})`, ...metrics(lists.slice(0, limit), evalRows.slice(0, limit)) }));
}
if (scorers.includes('ts')) {
  const limit = Math.min(contexts.length, num('tsLimit', contexts.length));
  const lists: string[][] = [];
  const t1 = performance.now();
  for (let i = 0; i < limit; i += 1) lists.push(model.topK(contexts[i] ?? [], 20).map((r) => r.item));
  const scoreS = (performance.now() - t1) / 1000;
  console.log(JSON.stringify({ scorer: 'typed-array', rows: limit, ...metrics(lists, evalRows.slice(0, limit)), prefixesPerS: Math.round(limit / scoreS) }));
}
const perItem = new SessionModel({ maxItems: 100_000, dim: model.options.dim }).bytes;
console.log(JSON.stringify({ bytesPer100kItems: perItem, mib: +(perItem / 2 ** 20).toFixed(1) }));
