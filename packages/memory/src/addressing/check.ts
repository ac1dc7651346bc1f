/**
 * Shape checks shared by the addressing functions: each names the function and the argument and
 * throws core's `E_SHAPE` before any tensor is made.
 */
import type * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';

/** Throw unless `t` is a tensor whose shape equals `shape` (`-1` matches any size). */
export function checkShape(fn: string, arg: string, t: tf.Tensor | undefined, shape: readonly number[], words: string): void {
  const ok = !!t && Array.isArray(t.shape) && t.shape.length === shape.length && shape.every((d, i) => d === -1 || t.shape[i] === d);
  if (!ok) throw rxrnnError(ErrorCodes.SHAPE, fn, arg, words, describe(t));
}
