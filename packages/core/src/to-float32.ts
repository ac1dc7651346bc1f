/**
 * Read each emitted tensor back to JS as one flat row-major Float32Array, and free it.
 *
 * Shape contract: a `[B, Y]` tensor becomes a Float32Array of length B·Y; a {@link StepOutput}
 * contributes its `y` (its other tensors are freed). The fastest way out of the library.
 *
 * ```ts
 * from([[1, 0], [0, 1]]).pipe(recurrent(cell), toFloat32()).subscribe((y) => console.log(y));
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { map, type OperatorFunction } from 'rxjs';
import { readOut } from './read-out.js';

export function toFloat32(): OperatorFunction<tf.Tensor | { y: tf.Tensor }, Float32Array> {
  return map((value) => readOut(value, 'toFloat32', (t) => t.dataSync() as Float32Array));
}
