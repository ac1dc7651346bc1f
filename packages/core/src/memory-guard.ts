/**
 * Allocation guards: an allocation the backend cannot make is an error (`E_MEMORY`), never silent
 * corruption.
 *
 * tfjs-backend-wasm 4.x allocates every tensor with its module's `_malloc` and does not check the
 * result. When the heap cannot grow (it is capped at 4 GiB), `_malloc` returns 0, the tensor is
 * registered at address 0, and writing its values overwrites the heap from its start: the C++
 * runtime's tables, the weights, every other tensor. Nothing throws; later ops fail with "memory
 * access out of bounds" or compute garbage, for every caller, until the process restarts. (Seen
 * with a forged snapshot of batch 1.7e7: the first `[B, 32]` state entry took the heap to 2.2 GB,
 * the second got address 0.) `_malloc` also takes a 32-bit size, so 4 GiB or more wraps around to
 * a small block that the tensor's writes then overrun.
 *
 * {@link guardBackendMemory} (called by `initBackend`) wraps the wasm module's `_malloc` so that a
 * request beyond the allocation limit, or one that fails, throws `E_MEMORY` before anything is
 * written; the tensor is not created and the heap stays intact. It also plants a small canary
 * block whose pattern `backendHealth()` checks, so a heap overwritten by any other route is seen.
 * Other backends allocate JavaScript arrays, whose failure is already a thrown `RangeError`.
 *
 * ```ts
 * guardBackendMemory({ maxTensorBytes: 256 << 20 }); // no tensor above 256 MiB
 * checkAllocation('restore', 'snapshot.batch', 4e6 * 32); // throws E_MEMORY if 4e6·32 floats exceed the limit
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from './errors.js';

/** Default allocation limit: 1 GiB per tensor. */
export const DEFAULT_MAX_TENSOR_BYTES = 2 ** 30;

export interface MemoryGuardOptions {
  /** Largest single allocation (one tensor), in bytes. Default {@link DEFAULT_MAX_TENSOR_BYTES}. */
  maxTensorBytes?: number;
}

/** The part of tfjs-backend-wasm's Emscripten module used here. */
interface WasmModule {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
}

let maxTensorBytes = DEFAULT_MAX_TENSOR_BYTES;
const CANARY_BYTES = 64;
/** `_malloc`'s size is a 32-bit integer. */
const WASM32_MAX_BYTES = 2 ** 32 - 1;
/** Guarded modules and the address of their canary block. */
const canaries = new WeakMap<WasmModule, number>();

const canaryByte = (i: number) => (i * 73 + 41) & 0xff;

/** The wasm backend's module when the wasm backend is active; null otherwise. */
function wasmModule(): WasmModule | null {
  if (tf.getBackend() !== 'wasm') return null;
  const m = (tf.backend() as unknown as { wasm?: Partial<WasmModule> }).wasm;
  return m && typeof m._malloc === 'function' && typeof m._free === 'function' && m.HEAPU8 ? (m as WasmModule) : null;
}

function memoryError(fn: string, bytes: number, expected: string, why: string): never {
  throw rxrnnError(ErrorCodes.MEMORY, fn, 'bytes', expected, `${describe(bytes)}${why}`);
}

/** The current allocation limit in bytes. */
export function allocationLimit(): number {
  return maxTensorBytes;
}

/**
 * Throw `E_MEMORY` unless `elements` values of `bytesPerElement` bytes fit the allocation limit.
 * Call it before allocating anything whose size comes from outside (a request, a file).
 */
export function checkAllocation(fn: string, arg: string, elements: number, bytesPerElement = 4): void {
  const bytes = elements * bytesPerElement;
  if (!Number.isSafeInteger(elements) || elements < 0 || bytes > maxTensorBytes) {
    throw rxrnnError(ErrorCodes.MEMORY, fn, arg, `at most ${maxTensorBytes} bytes (the allocation limit)`, `${describe(elements)} values of ${bytesPerElement} bytes`);
  }
}

/**
 * Guard the active backend's allocations (idempotent; `initBackend` calls it). On the wasm backend,
 * `_malloc` then throws `E_MEMORY` for a request above `maxTensorBytes` or one the heap cannot
 * serve, instead of returning address 0. Returns true when a guard is active (wasm), false for
 * backends that need none. `maxTensorBytes` applies to every backend's {@link checkAllocation}.
 */
export function guardBackendMemory(options: MemoryGuardOptions = {}): boolean {
  if (options.maxTensorBytes !== undefined) {
    const v = options.maxTensorBytes;
    if (!Number.isSafeInteger(v) || v < 1) throw rxrnnError(ErrorCodes.ARGUMENT, 'guardBackendMemory', 'options.maxTensorBytes', 'a positive integer', describe(v));
    maxTensorBytes = v;
  }
  const m = wasmModule();
  if (!m) return false;
  if (canaries.has(m)) return true;
  // Emscripten's exports start as stubs that replace themselves with the raw export on first call
  // (`Module._malloc = asm.malloc`): the setter keeps that raw function, the getter keeps the guard.
  let raw = m._malloc;
  const guarded = (bytes: number): number => {
    const limit = Math.min(maxTensorBytes, WASM32_MAX_BYTES); // (a 32-bit size would wrap around)
    if (!(bytes >= 0) || bytes > limit) memoryError('malloc', bytes, `at most ${limit} bytes per tensor (the allocation limit)`, '');
    const ptr = raw.call(m, bytes);
    if (ptr === 0 && bytes > 0) memoryError('malloc', bytes, 'memory the backend can allocate', ` with the heap at ${m.HEAPU8.length} bytes (it cannot grow past 4 GiB)`);
    return ptr;
  };
  Object.defineProperty(m, '_malloc', {
    configurable: true,
    enumerable: true,
    get: () => guarded,
    set: (f: WasmModule['_malloc']) => {
      raw = f;
    },
  });
  const ptr = guarded(CANARY_BYTES) >>> 0;
  for (let i = 0; i < CANARY_BYTES; i++) m.HEAPU8[ptr + i] = canaryByte(i);
  canaries.set(m, ptr);
  return true;
}

/**
 * Whether the wasm heap's canary block still holds its pattern: true, false (the heap was
 * overwritten), or null when no guarded wasm backend is active.
 */
export function heapCanaryIntact(): boolean | null {
  const m = wasmModule();
  const ptr = m ? canaries.get(m) : undefined;
  if (!m || ptr === undefined) return null;
  const heap = m.HEAPU8;
  for (let i = 0; i < CANARY_BYTES; i++) if (heap[ptr + i] !== canaryByte(i)) return false;
  return true;
}
