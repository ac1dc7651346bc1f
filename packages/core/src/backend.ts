/**
 * Backend start-up: tensorflow (tfjs-node, when it loads) → wasm → cpu.
 *
 * The choice is made once, logged once in one friendly line (`rxrnn: tfjs backend wasm
 * (WebAssembly; the optional @tensorflow/tfjs-node is not installed)`), and exposed through
 * {@link backendInfo}. `@tensorflow/tfjs-node` is an optional dependency: it is used only when it
 * is installed and its native library loads; nothing requires it. Since the choice is reported
 * here, tfjs's own "Hi, looks like you are running TensorFlow.js in Node.js" banner is silenced.
 *
 * This is also the one place where rxrnn patches tfjs: {@link installBackendPatches} (see
 * backend-patches.ts) — kernels the wasm backend lacks or runs slowly, and on request a faster
 * matMul gradient. Nothing else in rxrnn changes tfjs's registries.
 */
import * as tf from '@tensorflow/tfjs';
import { installBackendPatches, type BackendPatchOptions } from './backend-patches.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendOptions extends BackendPatchOptions {
  /** Order of preference. Default: `['tensorflow', 'wasm', 'cpu']`, or `RXRNN_BACKEND` (comma list). */
  prefer?: BackendName[];
  /** Where to log the choice. Default: one line on stderr. Pass `null` for silence. */
  log?: ((line: string) => void) | null;
}

export interface BackendInfo {
  name: BackendName;
  /** What was tried before it, and why each failed. */
  skipped: { name: BackendName; reason: string }[];
  /** The patches installed in tfjs (see backend-patches.ts), e.g. `wasm:GatherV2`. */
  patches: readonly string[];
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
      silenceCpuBanner();
      const result: BackendInfo = { name, skipped, patches: installBackendPatches(options) };
      log?.(backendLine(result));
      return result;
    } catch (e) {
      skipped.push({ name, reason: firstLine(e) });
    }
  }
  throw new Error(`initBackend: options.prefer: expected a backend that loads, received none of ${prefer.join(', ')} (${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})`);
}

const KINDS: Record<BackendName, string> = { tensorflow: 'TensorFlow C library, @tensorflow/tfjs-node', wasm: 'WebAssembly', cpu: 'plain JavaScript' };
const PACKAGES: Record<BackendName, string> = { tensorflow: '@tensorflow/tfjs-node', wasm: '@tensorflow/tfjs-backend-wasm', cpu: 'the cpu backend' };

/**
 * The line {@link initBackend} logs: the backend, what it is, and in plain words why the ones
 * preferred before it are not used, e.g. `rxrnn: tfjs backend wasm (WebAssembly; the optional
 * @tensorflow/tfjs-node is not installed)`.
 */
export function backendLine(info: Pick<BackendInfo, 'name' | 'skipped'>): string {
  const why = info.skipped.map((s) =>
    /Cannot find (package|module)|ERR_MODULE_NOT_FOUND|MODULE_NOT_FOUND/.test(s.reason)
      ? `the optional ${PACKAGES[s.name]} is not installed`
      : `${PACKAGES[s.name]} did not load: ${s.reason}`,
  );
  return `rxrnn: tfjs backend ${info.name} (${[KINDS[info.name], ...why].join('; ')})`;
}

/**
 * tfjs's cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js…" on its first
 * tensor; the backend choice is reported by {@link initBackend} instead. (Reads the backend's
 * `firstUse` flag, tfjs 4.x.)
 */
function silenceCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].slice(0, 160);
}

/**
 * Pick and start the tfjs backend once, and install rxrnn's patches of tfjs (backend-patches.ts:
 * the guard of the wasm backend's allocations — one it cannot make throws `E_MEMORY` instead of
 * corrupting memory — and the kernels it lacks); later calls return the same choice (a later
 * `explicitTransposeGradients: true` or `maxTensorBytes` still applies).
 *
 * ```ts
 * const { name } = await initBackend(); // 'wasm' on a machine without tfjs-node
 * await initBackend({ explicitTransposeGradients: true }); // rxrnn train --fast-backward
 * ```
 */
export function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  if (!chosen) {
    chosen = choose(options).then((i) => (info = i));
    chosen.catch(() => (chosen = null));
    return chosen;
  }
  return chosen.then((i) => {
    installBackendPatches(options); // (i.patches lists what is installed: the same array)
    return i;
  });
}

/** The backend chosen by {@link initBackend}, or null before it resolves. */
export function backendInfo(): BackendInfo | null {
  return info;
}
