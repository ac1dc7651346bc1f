/**
 * `backendHealth()`: a cheap probe of the tfjs backend, for a server's health endpoint.
 *
 * A backend can break while the process lives on: an overwritten wasm heap answers every op with
 * "memory access out of bounds" (or wrong numbers), an aborted Emscripten module throws on every
 * call. The probe checks the heap's canary block (see {@link guardBackendMemory}), runs one tiny
 * op round trip (a 2×2 matMul and an add, ~50 µs) whose exact result it compares, and checks that
 * the round trip left no tensor behind.
 *
 * ```ts
 * const h = backendHealth(); // { ok: true, backend: 'wasm' }
 * res.writeHead(h.ok ? 200 : 503).end(JSON.stringify(h));
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { guardBackendMemory, heapCanaryIntact } from './memory-guard.js';

export interface BackendHealth {
  /** True when the probe's op gave its exact result and the heap's canary is intact. */
  ok: boolean;
  /** The active tfjs backend's name. */
  backend: string;
  /** Why the backend is not healthy. */
  reason?: string;
}

/** [[1, 2], [3, 4]] · [[0.5, -1], [2, 0.25]] + 1, exact in float32. */
const EXPECTED = [5.5, 0.5, 10.5, -1];

/** Probe the active backend (see the module's description). Never throws. */
export function backendHealth(): BackendHealth {
  let backend = '?';
  try {
    backend = tf.getBackend() ?? '?';
    guardBackendMemory(); // idempotent; plants the canary when the caller set tfjs up itself
    if (heapCanaryIntact() === false) return { ok: false, backend, reason: 'the backend heap was overwritten (its canary block changed)' };
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => tf.add(tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([0.5, -1, 2, 0.25], [2, 2])), 1));
    const got = Array.from(y.dataSync());
    y.dispose();
    if (got.length !== EXPECTED.length || got.some((v, i) => v !== EXPECTED[i])) return { ok: false, backend, reason: `a probe op gave [${got.join(', ')}] instead of [${EXPECTED.join(', ')}]` };
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) return { ok: false, backend, reason: `a probe op left ${leaked} tensors behind` };
    return { ok: true, backend };
  } catch (e) {
    return { ok: false, backend, reason: `a probe op failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200)}` };
  }
}

/** `backendHealth().ok`. */
export function backendHealthy(): boolean {
  return backendHealth().ok;
}
