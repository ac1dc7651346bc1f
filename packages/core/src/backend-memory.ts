/**
 * What the tfjs backend holds, for watching leaks from outside (a server's /metrics): live
 * tensors, their bytes, and the backend's heap (the WebAssembly memory on the wasm backend; tfjs's
 * own count of tensor bytes elsewhere).
 *
 * ```ts
 * const { tensors, heapBytes } = backendMemory();
 * ```
 */
import * as tf from '@tensorflow/tfjs';

export interface BackendMemory {
  /** Live tensors (`tf.memory().numTensors`). */
  tensors: number;
  /** Bytes of their data (`tf.memory().numBytes`). */
  tensorBytes: number;
  /** The backend's heap in bytes: the WebAssembly memory on wasm, else `tensorBytes`. */
  heapBytes: number;
}

export function backendMemory(): BackendMemory {
  const m = tf.memory();
  let heap: number | undefined;
  try {
    if (tf.getBackend() === 'wasm') heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.byteLength;
  } catch {
    heap = undefined; // no backend yet
  }
  return { tensors: m.numTensors, tensorBytes: m.numBytes, heapBytes: heap ?? m.numBytes };
}
