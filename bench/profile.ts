import { Session } from 'node:inspector/promises';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface HotFunction {
  readonly fn: string;
  readonly where: string;
  readonly selfPercent: number;
}

/** Samples the CPU of this process while `work` runs; returns the functions with the most self time. */
export async function profileTop<T>(work: () => Promise<T>, top = 15): Promise<{ result: T; hot: HotFunction[] }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  const result = await work();
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  session.disconnect();
  const self = new Map<number, number>();
  profile.samples.forEach((node, i) => self.set(node, (self.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((sum, t) => sum + t, 0) || 1;
  const byFunction = new Map<string, { fn: string; where: string; time: number }>();
  for (const node of profile.nodes) {
    const time = self.get(node.id) ?? 0;
    if (time === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === '' ? '(native)' : `${url.replace(/^.*\/(node_modules|src|pipelines|bench)\//, '$1/')}:${lineNumber + 1}`;
    const key = `${functionName}@${where}`;
    const entry = byFunction.get(key) ?? { fn: functionName === '' ? '(anonymous)' : functionName, where, time: 0 };
    entry.time += time;
    byFunction.set(key, entry);
  }
  const hot = [...byFunction.values()]
    .sort((a, b) => b.time - a.time)
    .slice(0, top)
    .map((entry) => ({ fn: entry.fn, where: entry.where, selfPercent: Math.round((1000 * entry.time) / total) / 10 }));
  return { result, hot };
}
