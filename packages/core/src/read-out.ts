/** Shared by `readRows()` and `toFloat32()`: read a tensor (or a StepOutput's y) and free what came in. */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from './errors.js';

export function readOut<T>(value: unknown, fn: string, read: (t: tf.Tensor) => T): T {
  let y: unknown = value;
  if (value && typeof value === 'object' && !(value instanceof tf.Tensor) && 'y' in value) {
    const v = value as { y: unknown; state?: Record<string, tf.Tensor>; extras?: Record<string, tf.Tensor> };
    for (const t of Object.values(v.state ?? {})) t.dispose();
    for (const t of Object.values(v.extras ?? {})) t.dispose();
    y = v.y;
  }
  if (!(y instanceof tf.Tensor)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'value', 'a tensor or a StepOutput', describe(value));
  try {
    return read(y);
  } finally {
    y.dispose();
  }
}
