/**
 * Moving float32 data in and out of tensors without a JavaScript copy in between.
 *
 * On tfjs's wasm backend `tensor.dataSync()` returns a fresh copy of the tensor (a slice of the
 * backend's heap), and `tf.tensor(array)` copies the array into the heap. A training update of the
 * char-rnn moved ~20 MB through such copies: short-lived ArrayBuffers that V8 counts as external
 * memory, which started a full (mark-compact) garbage collection on about every update; its
 * concurrent marking ran on the second core while the kernels wanted both
 * (tools/bench/gc-pressure.ts measures it). Here:
 *
 * - {@link tensorValues}: a view of the tensor's values in the backend's own memory (wasm: its heap;
 *   cpu: its array), no copy. Read it at once: the view is only valid until the next tfjs op
 *   allocates (the wasm heap may grow and move).
 * - {@link tensorFrom}: a new tensor whose values a callback writes in place, straight into the
 *   backend's memory.
 *
 * Other backends (webgl, tensorflow) get `dataSync()` and `tf.tensor`, as before.
 */
import * as tf from '@tensorflow/tfjs';

/** What this module uses of tfjs-backend-wasm 4.x's `BackendWasm` (public members of the class). */
interface HeapBackend {
  dataIdMap: { has(dataId: object): boolean };
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** The wasm backend when it is the active one and has the members above; null otherwise. */
function heapBackend(): HeapBackend | null {
  if (tf.getBackend() !== 'wasm') return null;
  const be = tf.backend() as unknown as Partial<HeapBackend>;
  return typeof be.typedArrayFromHeap === 'function' && typeof be.makeOutput === 'function' && typeof be.disposeData === 'function' && typeof be.dataIdMap?.has === 'function' ? (be as HeapBackend) : null;
}

/**
 * The values of a float32 or int32 tensor, without a copy where the backend allows (wasm, cpu).
 * Use the array at once and do not write to it: it may be the tensor's own memory, valid only until
 * the next tfjs op.
 *
 * ```ts
 * kernelMemory.set(tensorValues(x), ptr >>> 2); // one copy: tfjs heap → kernel memory
 * ```
 */
export function tensorValues(t: tf.Tensor): Float32Array | Int32Array {
  const be = heapBackend();
  const id = (t as unknown as { dataId: object }).dataId;
  if (be && (t.dtype === 'float32' || t.dtype === 'int32') && be.dataIdMap.has(id)) {
    return be.typedArrayFromHeap({ dataId: id, shape: t.shape, dtype: t.dtype }) as Float32Array | Int32Array;
  }
  return t.dataSync() as Float32Array | Int32Array;
}

/**
 * A new float32 tensor of `shape` whose values `fill(dst)` writes into `dst` (`dst.length` is the
 * tensor's size; zeros before the call, unless `whole` says `fill` writes every entry itself). On the
 * wasm backend `dst` is the tensor's memory in the heap, so `fill` must not run tfjs ops.
 *
 * ```ts
 * const y = tensorFrom([N, Y], (dst) => dst.set(kernelMemory.subarray(p, p + N * Y))); // one copy
 * ```
 */
export function tensorFrom(shape: number[], fill: (dst: Float32Array) => void, whole = false): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const be = heapBackend();
  if (!be || n === 0) {
    const dst = new Float32Array(n);
    fill(dst);
    return tf.tensor(dst, shape, 'float32');
  }
  const info = be.makeOutput(shape, 'float32');
  try {
    const dst = be.typedArrayFromHeap(info) as Float32Array;
    if (!whole) dst.fill(0); // (the heap's memory is not cleared by makeOutput)
    fill(dst);
  } catch (e) {
    be.disposeData(info.dataId as object, true); // not a tensor yet: free its memory here
    throw e;
  }
  return tf.engine().makeTensorFromTensorInfo(info);
}
