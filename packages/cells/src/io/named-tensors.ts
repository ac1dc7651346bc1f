/**
 * Weights from outside rxrnn, read into plain named arrays before anything is allocated: the bytes
 * of a safetensors file, or a map of name → tensor / `{ shape, data }`. Reading copies the values
 * out (no tensor is created or disposed), so a loader can validate everything first and build its
 * cells only when the weights are known to fit — an error leaves nothing allocated.
 */
import * as tf from '@tensorflow/tfjs';
import { parseSafetensors, RxrnnError, rxrnnError, ErrorCodes, describe, type NamedArray, type NamedArrays } from '@rxrnn/core';

/** A tensor given as data: shape and row-major values. */
export interface ArrayTensor {
  shape: readonly number[];
  data: ArrayLike<number>;
}

/** Named weights: the bytes of a safetensors file, or a map of name → tensor / `{ shape, data }`. */
export type NamedWeightsSource = Uint8Array | Readonly<Record<string, tf.Tensor | ArrayTensor>>;

/** One weight given as a tensor or `{ shape, data }`, read into a Float32Array copy. */
export function readOneTensor(fn: string, arg: string, value: unknown): NamedArray {
  if (value instanceof tf.Tensor) {
    if (value.isDisposed) throw rxrnnError(ErrorCodes.DISPOSED, fn, arg, 'a live tensor', 'a disposed tensor');
    return { shape: value.shape.slice(), data: Float32Array.from(value.dataSync() as ArrayLike<number>) };
  }
  const v = value as Partial<ArrayTensor> | null;
  if (!v || typeof v !== 'object' || !Array.isArray(v.shape) || !v.data || typeof (v.data as ArrayLike<number>).length !== 'number') {
    throw rxrnnError(ErrorCodes.ARGUMENT, fn, arg, 'a tensor or { shape, data }', describe(value));
  }
  const shape = v.shape as number[];
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw rxrnnError(ErrorCodes.SHAPE, fn, `${arg}.shape`, 'non-negative integers', `[${shape.join(', ')}]`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (v.data.length !== count) throw rxrnnError(ErrorCodes.SHAPE, fn, `${arg}.data`, `${count} values for shape [${shape.join(', ')}]`, `${v.data.length} values`);
  const data = Float32Array.from(v.data as ArrayLike<number>);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw rxrnnError(ErrorCodes.NONFINITE, fn, `${arg}.data`, 'finite numbers', `${data[i]} at index ${i}`);
  }
  return { shape: shape.slice(), data };
}

/** Read `source` (safetensors bytes or a name → tensor map) into named Float32Arrays. */
export function readNamedWeights(fn: string, source: unknown, arg = 'source'): NamedArrays {
  if (source instanceof Uint8Array) {
    try {
      return parseSafetensors(source).tensors;
    } catch (e) {
      // Re-issue the reader's error under the public function's name.
      if (e instanceof RxrnnError) throw rxrnnError(e.code, fn, `${arg} (safetensors)`, e.expected, e.received);
      throw e;
    }
  }
  if (!source || typeof source !== 'object' || Array.isArray(source) || ArrayBuffer.isView(source)) {
    throw rxrnnError(ErrorCodes.ARGUMENT, fn, arg, 'the bytes of a safetensors file (Uint8Array) or a map of name → tensor / { shape, data }', describe(source));
  }
  const out: NamedArrays = {};
  for (const [name, value] of Object.entries(source as Record<string, unknown>)) out[name] = readOneTensor(fn, `${arg}["${name}"]`, value);
  return out;
}

/** `shape [a, b]`, for error messages. */
export function shapeText(shape: readonly number[]): string {
  return `shape [${shape.join(', ')}]`;
}

/** The transpose of a row-major `[rows, cols]` matrix, as `[cols, rows]`. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}
