// A failed allocation is an error, never silent corruption; backendHealth() notices a broken backend.
import { describe, it, expect, afterEach } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { guardBackendMemory, checkAllocation, allocationLimit, heapCanaryIntact, backendHealth, backendHealthy, DEFAULT_MAX_TENSOR_BYTES, RxrnnError } from './index.js';

const onWasm = tf.getBackend() === 'wasm';
interface Module {
  _malloc(n: number): number;
  HEAPU8: Uint8Array;
}
const wasm = () => (tf.backend() as unknown as { wasm: Module }).wasm;

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RxrnnError);
    return (e as RxrnnError).code;
  }
  return 'no error';
}

afterEach(() => {
  guardBackendMemory({ maxTensorBytes: DEFAULT_MAX_TENSOR_BYTES });
});

describe('memory guard', () => {
  it('checkAllocation refuses sizes beyond the limit (and nonsense sizes) with E_MEMORY', () => {
    expect(allocationLimit()).toBe(DEFAULT_MAX_TENSOR_BYTES);
    checkAllocation('f', 'n', DEFAULT_MAX_TENSOR_BYTES / 4);
    expect(code(() => checkAllocation('f', 'n', DEFAULT_MAX_TENSOR_BYTES / 4 + 1))).toBe('E_MEMORY');
    expect(code(() => checkAllocation('f', 'n', 17_000_000 * 448 * 2))).toBe('E_MEMORY');
    expect(code(() => checkAllocation('f', 'n', -1))).toBe('E_MEMORY');
    expect(code(() => checkAllocation('f', 'n', 0.5))).toBe('E_MEMORY');
    expect(code(() => checkAllocation('f', 'n', NaN))).toBe('E_MEMORY');
    expect(code(() => guardBackendMemory({ maxTensorBytes: 0 }))).toBe('E_ARGUMENT');
  });

  it.runIf(onWasm)('a tensor beyond the limit throws E_MEMORY; nothing is created or overwritten', () => {
    const w = tf.tensor1d([1, 2, 3, 4]);
    const before = tf.memory().numTensors;
    expect(guardBackendMemory({ maxTensorBytes: 1 << 20 })).toBe(true);
    expect(code(() => tf.zeros([(1 << 18) + 1]))).toBe('E_MEMORY');
    expect(code(() => tf.tidy(() => tf.matMul(tf.ones([600, 1]), tf.ones([1, 600]))))).toBe('E_MEMORY'); // a kernel's output
    tf.zeros([1 << 18]).dispose(); // at the limit: fine
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(w.dataSync())).toEqual([1, 2, 3, 4]);
    expect(backendHealth()).toEqual({ ok: true, backend: 'wasm' });
    w.dispose();
  });

  it.runIf(onWasm)('a request of 4 GiB or more (which would wrap around in a 32-bit malloc) is refused whatever the limit', () => {
    guardBackendMemory({ maxTensorBytes: 2 ** 40 });
    expect(code(() => tf.zeros([2 ** 30 + 4]))).toBe('E_MEMORY');
  });

  it.runIf(onWasm)('a malloc that fails (returns 0) throws E_MEMORY instead of handing out address 0; health says so', () => {
    const m = wasm();
    const w = tf.tensor1d([5, 6, 7]);
    const realMalloc = (m as unknown as { asm?: { malloc?: Module['_malloc'] } }).asm?.malloc;
    expect(realMalloc).toBeTypeOf('function');
    // Emscripten replaces _malloc by assignment; the guard keeps what is assigned as the raw allocator.
    const guard = m._malloc;
    m._malloc = () => 0; // a heap that cannot grow
    try {
      expect(m._malloc).toBe(guard);
      const before = tf.memory().numTensors;
      expect(code(() => tf.tensor1d([1, 2, 3]))).toBe('E_MEMORY');
      expect(code(() => tf.tidy(() => tf.add(w, 1)))).toBe('E_MEMORY');
      expect(tf.memory().numTensors).toBe(before);
      const h = backendHealth();
      expect(h.ok).toBe(false);
      expect(h.reason).toMatch(/a probe op failed: malloc: bytes: expected memory the backend can allocate/);
    } finally {
      m._malloc = realMalloc!;
    }
    expect(Array.from(tf.add(w, 1).dataSync())).toEqual([6, 7, 8]);
    expect(backendHealthy()).toBe(true);
    w.dispose();
  });

  it.runIf(onWasm)('backendHealth reports an overwritten heap (its canary block changed)', () => {
    expect(heapCanaryIntact()).toBe(true);
    // The canary is a 64-byte pattern planted low in the heap at start-up (where an overwrite from address 0 begins).
    const heap = wasm().HEAPU8;
    const pattern = Uint8Array.from({ length: 64 }, (_, i) => (i * 73 + 41) & 0xff);
    let at = -1;
    for (let i = 0; i + 64 <= Math.min(heap.length, 1 << 24) && at < 0; i++) if (heap[i] === pattern[0] && pattern.every((b, k) => heap[i + k] === b)) at = i;
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(1 << 20);
    heap[at + 10] = 0;
    const h = backendHealth();
    expect(h.ok).toBe(false);
    expect(h.reason).toMatch(/heap was overwritten/);
    heap[at + 10] = pattern[10];
    expect(backendHealth()).toEqual({ ok: true, backend: 'wasm' });
  });

  it('backendHealth answers ok on a working backend, cheaply and without leaking', () => {
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) expect(backendHealth().ok).toBe(true);
    expect((performance.now() - t0) / 20).toBeLessThan(5);
    expect(tf.memory().numTensors).toBe(before);
  });
});
