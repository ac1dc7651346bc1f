/**
 * Every change rxrnn makes to tfjs's global registries, in one place, installed by
 * {@link initBackend} (and nowhere else: creating a trainer, a cell or the kernels patches nothing).
 * Each patch is idempotent and named in `backendInfo().patches`.
 *
 * Installed when the wasm backend is active:
 *
 * - `wasm:malloc-guard` — an allocation the backend cannot make throws `E_MEMORY` instead of
 *   corrupting the heap ({@link guardBackendMemory}, memory-guard.ts; `maxTensorBytes` sets the limit).
 *
 * Installed whenever the wasm backend is registered (the char-rnn recipe trains on it):
 *
 * - `wasm:UnsortedSegmentSum` — the gradient of `tf.gather` (an embedding lookup) is
 *   `unsortedSegmentSum`, which tfjs-backend-wasm 4.22 does not register (cheap: V × E additions
 *   per step):
 *
 *       out[s, :] = Σ_{i : ids[i] = s} x[i, :]
 *
 * - `wasm:GatherV2` — `tf.gather` along axis 0 (the embedding lookup itself): tfjs-backend-wasm 4.22
 *   takes ~12 ms to gather 3,200 rows of 64 floats (a char-rnn batch), a row copy per index takes
 *   ~0.1 ms. Other axes and batch dimensions go to the backend's own kernel.
 *
 * Both read their inputs as views of the backend's heap (`readSync` would copy them).
 *
 * Installed when asked (`initBackend({ explicitTransposeGradients: true })`, `rxrnn train
 * --fast-backward`):
 *
 * - `grad:BatchMatMul` — the gradient of `BatchMatMul` materialises transposes before multiplying
 *   (see {@link explicitTransposeGradients}); for every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { guardBackendMemory, type MemoryGuardOptions } from './memory-guard.js';

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array;
}

/** Which patches {@link installBackendPatches} may install besides the wasm kernels, and the allocation limit. */
export interface BackendPatchOptions extends MemoryGuardOptions {
  /** The explicit-transpose gradient of `BatchMatMul` (see {@link explicitTransposeGradients}). Default false. */
  explicitTransposeGradients?: boolean;
}

const installed: string[] = [];

/**
 * Install the patches (see the module doc) that apply now and are not installed yet; returns the
 * names of every patch installed so far. Called by {@link initBackend}.
 */
export function installBackendPatches(options: BackendPatchOptions = {}): readonly string[] {
  const add = (name: string, install: () => boolean) => {
    if (!installed.includes(name) && install()) installed.push(name);
  };
  if (guardBackendMemory({ maxTensorBytes: options.maxTensorBytes }) && !installed.includes('wasm:malloc-guard')) installed.push('wasm:malloc-guard'); // (the limit applies on every call)
  add('wasm:UnsortedSegmentSum', unsortedSegmentSum);
  add('wasm:GatherV2', fastRowGather);
  if (options.explicitTransposeGradients) add('grad:BatchMatMul', explicitTransposeGradients);
  return installed;
}

/** Register the gradient of gather for the wasm backend, when it lacks it; false when the wasm backend is not registered. */
function unsortedSegmentSum(): boolean {
  if (!tf.getKernel('GatherV2', 'wasm')) return false; // the wasm backend is not registered in this build
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return true;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const be = backend as unknown as WasmLike;
      const out = be.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
      // views of the heap, taken after the only allocation (makeOutput may grow the heap)
      const o = be.typedArrayFromHeap(out);
      const xs = be.typedArrayFromHeap(x);
      const ids = be.typedArrayFromHeap(segmentIds);
      const n = ids.length;
      const inner = n === 0 ? 0 : xs.length / n; // x: [N, …], ids: [N]
      o.fill(0);
      for (let i = 0; i < n; i++) {
        const s = ids[i];
        if (s < 0 || s >= numSegments) continue;
        const src = i * inner;
        const dst = s * inner;
        for (let j = 0; j < inner; j++) o[dst + j] += xs[src + j];
      }
      return out;
    },
  });
  return true;
}

/** Replace the wasm backend's GatherV2 by a row copy for axis 0 (see the module doc); false when the wasm backend is not registered. */
function fastRowGather(): boolean {
  const original = tf.getKernel('GatherV2', 'wasm');
  if (!original) return false; // the wasm backend is not registered in this build
  tf.unregisterKernel('GatherV2', 'wasm');
  tf.registerKernel({
    kernelName: 'GatherV2',
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
      const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
      const ax = axis < 0 ? axis + x.shape.length : axis;
      if (ax !== 0 || (batchDims ?? 0) !== 0 || x.shape.length === 0 || x.dtype === 'string') return original.kernelFunc(args);
      const be = backend as unknown as WasmLike;
      const out = be.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
      // views of the heap, taken after the only allocation (makeOutput may grow the heap)
      const o = be.typedArrayFromHeap(out);
      const xs = be.typedArrayFromHeap(x);
      const ids = be.typedArrayFromHeap(indices);
      const rows = x.shape[0];
      const inner = rows === 0 ? 0 : xs.length / rows;
      const src = xs as Float32Array;
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i];
        if (!(s >= 0 && s < rows)) throw new Error(`GatherV2: the index value ${s} is not in [0, ${rows - 1}]`);
        o.set(src.subarray(s * inner, (s + 1) * inner), i * inner);
      }
      return out;
    },
  });
  return true;
}

/**
 * Replace the gradient of `BatchMatMul` by one that materialises transposes before multiplying:
 * tfjs-wasm's matMul is far slower with a transposed operand (docs/perf-notes.md: the two transposed
 * matMuls of an LSTM's backward pass ran 12–14× slower than the forward one). Same math, same results
 * up to float rounding order:  dA = dY · Bᵀ,  dB = Aᵀ · dY  with Bᵀ, Aᵀ computed by `tf.transpose`
 * first. The original gradient is unregistered first, so tfjs has nothing to warn about.
 */
function explicitTransposeGradients(): boolean {
  const T = (x: tf.Tensor) => {
    const r = x.rank;
    const perm = [...Array(r).keys()];
    [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
    return tf.transpose(x, perm);
  };
  // mm(x, y, tx, ty) = matMul(op(x), op(y)) with op = explicit transpose when asked.
  const mm = (x: tf.Tensor, y: tf.Tensor, tx: boolean, ty: boolean) => tf.matMul(tx ? T(x) : x, ty ? T(y) : y);
  if (tf.getGradient('BatchMatMul')) tf.unregisterGradient('BatchMatMul');
  tf.registerGradient({
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const d = dy as tf.Tensor;
      if (!transposeA && !transposeB) return { a: () => mm(d, b, false, true), b: () => mm(a, d, true, false) };
      if (!transposeA && transposeB) return { a: () => mm(d, b, false, false), b: () => mm(d, a, true, false) };
      if (transposeA && !transposeB) return { a: () => mm(b, d, false, true), b: () => mm(a, d, false, false) };
      return { a: () => mm(b, d, true, true), b: () => mm(d, a, true, true) };
    },
  });
  return true;
}
