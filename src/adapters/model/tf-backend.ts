import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** Backends in order of preference: fastest first, most portable last. */
export const backendOrder = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendOrder)[number];

/** The tfjs namespace; every backend registers into this one engine. */
export type Tf = typeof tf;

export interface SkippedBackend {
  readonly name: BackendName;
  readonly reason: string;
}

export interface BackendChoice {
  readonly name: BackendName;
  readonly tf: Tf;
  /** Why each backend tried before the chosen one was passed over, in order. */
  readonly skipped: readonly SkippedBackend[];
}

export interface SelectBackendOptions {
  /** Start the chain here (the more portable ones after it remain fallbacks). Default: the fastest. */
  readonly preferred?: BackendName;
  /** Set false to never use wasm (falls to the pure-JS cpu backend). Default true. */
  readonly allowWasm?: boolean;
  /** Module loader; defaults to dynamic `import()`. Injected to simulate native packages in tests. */
  readonly importModule?: (specifier: string) => Promise<unknown>;
}

const nativePackages: Record<'tfjs-node-gpu' | 'tfjs-node', string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
};

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

// Specifier kept in a variable so TypeScript does not try to resolve optional packages at compile time.
const defaultImport = (specifier: string): Promise<unknown> => import(specifier) as Promise<unknown>;

/** True when tfjs-node's kernel backend reports that TensorFlow placed ops on a GPU. */
function gpuVisible(): boolean {
  const backend: unknown = tf.backend();
  return typeof backend === 'object' && backend !== null && 'isUsingGpuDevice' in backend && backend.isUsingGpuDevice === true;
}

async function tryNative(name: 'tfjs-node-gpu' | 'tfjs-node', load: (specifier: string) => Promise<unknown>): Promise<string | null> {
  const specifier = nativePackages[name];
  try {
    await load(specifier);
  } catch (error) {
    return firstLine(error);
  }
  if (tf.findBackend('tensorflow') === null) return `${specifier} loaded but registered no 'tensorflow' backend`;
  try {
    if (!(await tf.setBackend('tensorflow'))) return `the 'tensorflow' backend of ${specifier} failed to initialise`;
  } catch (error) {
    return firstLine(error);
  }
  if (name === 'tfjs-node-gpu' && !gpuVisible()) return `${specifier} loaded but TensorFlow sees no GPU`;
  return null;
}

async function tryWasm(load: (specifier: string) => Promise<unknown>): Promise<string | null> {
  try {
    const wasm = (await load('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
    // Under Node the .wasm binaries must be located explicitly: they sit beside the package's main file.
    const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(dirname(main) + sep);
    if (!(await tf.setBackend('wasm'))) return 'the wasm backend failed to initialise';
    await tf.ready();
    return null;
  } catch (error) {
    return firstLine(error);
  }
}

/**
 * Picks the fastest tfjs backend that works here: tfjs-node-gpu (only with a visible GPU), tfjs-node,
 * wasm (SIMD; threads are off under Node), then the pure-JS cpu backend, which always works. Native
 * packages are optional dependencies, loaded with dynamic `import()` so their absence is a reason,
 * never a crash.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendChoice> {
  const load = options.importModule ?? defaultImport;
  const start = backendOrder.indexOf(options.preferred ?? 'tfjs-node-gpu');
  const skipped: SkippedBackend[] = [];
  for (const name of backendOrder.slice(start)) {
    let reason: string | null;
    if (name === 'tfjs-node-gpu' || name === 'tfjs-node') reason = await tryNative(name, load);
    else if (name === 'wasm') reason = options.allowWasm === false ? 'disabled by option' : await tryWasm(load);
    else {
      await tf.setBackend('cpu');
      await tf.ready();
      reason = null;
    }
    if (reason === null) return { name, tf, skipped };
    skipped.push({ name, reason });
  }
  // Unreachable: the cpu backend ships with @tensorflow/tfjs.
  throw new Error(`no tfjs backend available: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
