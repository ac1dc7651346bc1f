/**
 * Read each emitted tensor back to JS as nested arrays, and free it.
 *
 * Shape contract: a `[B, Y]` tensor becomes `number[][]` (B rows of Y); a {@link StepOutput}
 * contributes its `y` (its other tensors are freed). This is where values leave the library.
 * One emission in, one emission out: unlike RxJS's `toArray`, it does not gather a stream.
 *
 * ```ts
 * from([[1, 0], [0, 1]]).pipe(recurrent(cell), readRows()).subscribe((rows) => console.log(rows[0]));
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { map, type OperatorFunction } from 'rxjs';
import { readOut } from './read-out.js';

export function readRows(): OperatorFunction<tf.Tensor | { y: tf.Tensor }, number[][]> {
  return map((value) => readOut(value, 'readRows', (t) => t.arraySync() as number[][]));
}
