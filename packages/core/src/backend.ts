/**
 * Backend start-up: tensorflow (tfjs-node, when it loads) → wasm → cpu.
 *
 * The choice is made once, logged once, and exposed through {@link backendInfo}.
 * `@tensorflow/tfjs-node` is an optional dependency: it is used only when it is installed and its
 * native library loads; nothing requires it.
 */
import * as tf from '@tensorflow/tfjs';
import { guardBackendMemory } from './memory-guard.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendOptions {
  /** Order of preference. Default: `['tensorflow', 'wasm', 'cpu']`, or `RXRNN_BACKEND` (comma list). */
  prefer?: BackendName[];
  /** Where to log the choice. Default: one line on stderr. Pass `null` for silence. */
  log?: ((line: string) => void) | null;
  /** Largest single allocation in bytes; beyond it (or when the heap cannot serve it) an allocation throws `E_MEMORY`. Default 1 GiB. */
  maxTensorBytes?: number;
}

export interface BackendInfo {
  name: BackendName;
  /** What was tried before it, and why each failed. */
  skipped: { name: BackendName; reason: string }[];
}

let chosen: Promise<BackendInfo> | null = null;
let info: BackendInfo | null = null;

const loaders: Record<BackendName, () => Promise<void>> = {
  async tensorflow() {
    // A computed specifier keeps bundlers from pulling the native addon into browser builds.
    const spec = '@tensorflow/tfjs-node';
    await import(/* @vite-ignore */ spec);
  },
  async wasm() {
    await import('@tensorflow/tfjs-backend-wasm');
  },
  async cpu() {
    // The cpu backend ships with @tensorflow/tfjs.
  },
};

const VALID: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

function preferenceFromEnv(): BackendName[] | undefined {
  const env = typeof process !== 'undefined' ? process.env?.RXRNN_BACKEND : undefined;
  if (!env) return undefined;
  const names = env.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!VALID.includes(n as BackendName)) {
      throw new Error(`initBackend: RXRNN_BACKEND: expected a comma list of ${VALID.join(', ')}, received ${JSON.stringify(n)}`);
    }
  }
  return names as BackendName[];
}

async function choose(options: BackendOptions): Promise<BackendInfo> {
  const prefer = options.prefer ?? preferenceFromEnv() ?? ['tensorflow', 'wasm', 'cpu'];
  const log = options.log === undefined ? (line: string) => process.stderr.write(line + '\n') : options.log;
  const skipped: BackendInfo['skipped'] = [];
  for (const name of prefer) {
    try {
      await loaders[name]();
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error('tf.setBackend returned false');
      await tf.ready();
      const result: BackendInfo = { name, skipped };
      log?.(
        `rxrnn: tfjs backend "${name}"` +
          (skipped.length ? ` (skipped ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : ''),
      );
      return result;
    } catch (e) {
      skipped.push({ name, reason: firstLine(e) });
    }
  }
  throw new Error(`initBackend: options.prefer: expected a backend that loads, received none of ${prefer.join(', ')} (${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})`);
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].slice(0, 160);
}

/**
 * Pick and start the tfjs backend once; later calls return the same choice. Guards its allocations
 * ({@link guardBackendMemory}): one it cannot make throws `E_MEMORY` instead of corrupting memory.
 *
 * ```ts
 * const { name } = await initBackend(); // 'wasm' on a machine without tfjs-node
 * ```
 */
export function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  if (!chosen) {
    chosen = choose(options).then((i) => {
      guardBackendMemory({ maxTensorBytes: options.maxTensorBytes });
      return (info = i);
    });
    chosen.catch(() => (chosen = null));
  }
  return chosen;
}

/** The backend chosen by {@link initBackend}, or null before it resolves. */
export function backendInfo(): BackendInfo | null {
  return info;
}
