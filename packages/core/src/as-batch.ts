/**
 * Turn what a user may send into a stream — a tensor, a Float32Array, a number[] or a number[][] —
 * into a `[B, X]` float32 tensor, with errors that say exactly what was wrong.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, arrayShape } from './errors.js';
import { toFloat32Checked, checkFiniteFloat32 } from './float32.js';

/** Anything a recurrent operator accepts as one step of input. */
export type StepInput = tf.Tensor | Float32Array | readonly number[] | readonly (readonly number[])[];

/** Tensors emitted by rxrnn operators; an rxrnn operator that receives one disposes it after use. */
const emitted = new WeakSet<tf.Tensor>();

/** Mark a tensor as emitted by rxrnn, so the next rxrnn operator may free it. */
export function markEmitted<T extends tf.Tensor>(t: T): T {
  emitted.add(t);
  return t;
}

/** True when `t` was emitted by an rxrnn operator (and so is owned by whoever received it). */
export function isEmitted(t: tf.Tensor): boolean {
  return emitted.has(t);
}

export interface AsBatchResult {
  /** The input as `[B, X]`. */
  x: tf.Tensor2D;
  /** True when `x` was created here or handed over by an upstream rxrnn operator, so the caller must dispose it. */
  owned: boolean;
}

/**
 * Validate one step of input against a model's input size and return it as a `[B, X]` tensor.
 * A vector of length X is a batch of one. Arrays are checked for NaN/Infinity after their conversion
 * to float32 (so 1e308, which becomes Infinity, is rejected too); tensors are
 * checked for dtype and shape (a finiteness check on a tensor would need a read-back, so it is
 * opt-in with `checkTensorValues`).
 */
export function asBatch(fn: string, arg: string, value: unknown, inputSize: number, checkTensorValues = false): AsBatchResult {
  if (value instanceof tf.Tensor) {
    if (value.isDisposed) throw rxrnnError(ErrorCodes.DISPOSED, fn, arg, 'a live tensor', 'a disposed tensor');
    if (value.dtype !== 'float32') throw rxrnnError(ErrorCodes.DTYPE, fn, arg, 'a float32 tensor', describe(value));
    const owned = isEmitted(value);
    if (value.rank === 1) {
      if (value.shape[0] !== inputSize) throw rxrnnError(ErrorCodes.SIZE, fn, arg, `shape [${inputSize}] or [B, ${inputSize}]`, describe(value));
      if (checkTensorValues) checkFiniteFloat32(fn, arg, value.dataSync() as Float32Array);
      const x = tf.reshape(value, [1, inputSize]) as tf.Tensor2D;
      if (owned) value.dispose();
      return { x, owned: true };
    }
    if (value.rank !== 2) throw rxrnnError(ErrorCodes.SHAPE, fn, arg, `shape [${inputSize}] or [B, ${inputSize}]`, describe(value));
    if (value.shape[1] !== inputSize || value.shape[0] < 1) throw rxrnnError(ErrorCodes.SIZE, fn, arg, `shape [B, ${inputSize}]`, describe(value));
    if (checkTensorValues) checkFiniteFloat32(fn, arg, value.dataSync() as Float32Array);
    return { x: value as tf.Tensor2D, owned };
  }
  if (value instanceof Float32Array || value instanceof Float64Array) {
    if (value.length === 0 || value.length % inputSize !== 0) {
      throw rxrnnError(ErrorCodes.SIZE, fn, arg, `a length that is a multiple of ${inputSize} (B × ${inputSize})`, describe(value));
    }
    if (value instanceof Float32Array) checkFiniteFloat32(fn, arg, value);
    const data = value instanceof Float32Array ? value.slice() : toFloat32Checked(fn, arg, value);
    return { x: tf.tensor2d(data, [value.length / inputSize, inputSize]), owned: true };
  }
  if (Array.isArray(value)) {
    const shape = arrayShape(value);
    if (shape === null) throw rxrnnError(ErrorCodes.SHAPE, fn, arg, `[${inputSize}] or [B][${inputSize}] numbers`, describe(value));
    if (shape.length === 1) {
      if (shape[0] !== inputSize) throw rxrnnError(ErrorCodes.SIZE, fn, arg, `an array of length ${inputSize}`, describe(value));
      return { x: tf.tensor2d(toFloat32Checked(fn, arg, value as number[]), [1, inputSize]), owned: true };
    }
    if (shape.length === 2) {
      if (shape[1] !== inputSize || shape[0] < 1) throw rxrnnError(ErrorCodes.SIZE, fn, arg, `an array of shape [B, ${inputSize}]`, describe(value));
      return { x: tf.tensor2d(toFloat32Checked(fn, arg, (value as number[][]).flat()), [shape[0], inputSize]), owned: true };
    }
    throw rxrnnError(ErrorCodes.SHAPE, fn, arg, `[${inputSize}] or [B][${inputSize}] numbers`, describe(value));
  }
  throw rxrnnError(ErrorCodes.ARGUMENT, fn, arg, `a tensor, Float32Array, number[] or number[][] of width ${inputSize}`, describe(value));
}

/** Free a value that an rxrnn operator emitted (a tensor, or a StepOutput's tensors) and nobody will use. */
export function discardEmitted(value: unknown): void {
  if (value instanceof tf.Tensor) {
    if (isEmitted(value) && !value.isDisposed) value.dispose();
    return;
  }
  if (value && typeof value === 'object' && 'y' in value) {
    const v = value as { y?: unknown; state?: Record<string, tf.Tensor>; extras?: Record<string, tf.Tensor> };
    if (v.y instanceof tf.Tensor && isEmitted(v.y) && !v.y.isDisposed) {
      v.y.dispose();
      for (const t of Object.values(v.state ?? {})) t.dispose();
      for (const t of Object.values(v.extras ?? {})) t.dispose();
    }
  }
}
