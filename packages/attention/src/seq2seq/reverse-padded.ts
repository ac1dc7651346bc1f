/**
 * Reverse each row of a padded, time-major batch within its own length (what PyTorch's packed
 * sequences do for the backward direction of a bidirectional RNN):
 *
 *     y[t, b] = x[n_b − 1 − t, b]   for t < n_b,      y[t, b] = x[t, b]   for t ≥ n_b (padding stays)
 *
 * so a backward cell run forward over y starts at each row's last real token and never reads its
 * padding before the real tokens. The permutation is its own inverse: applying it to the backward
 * outputs puts them back in time order. One gather (differentiable). Pure; no rxjs.
 */
import * as tf from '@tensorflow/tfjs';

/** The gather indices into the flattened [S·B] rows (see the module comment). */
export function reverseIndices(lengths: readonly number[], S: number): Int32Array {
  const B = lengths.length;
  const idx = new Int32Array(S * B);
  for (let t = 0; t < S; t++) for (let b = 0; b < B; b++) idx[t * B + b] = (t < lengths[b] ? lengths[b] - 1 - t : t) * B + b;
  return idx;
}

/** x [S, B, X] → each row reversed within its length, [S, B, X]. */
export function reverseWithinLengths(x: tf.Tensor3D, lengths: readonly number[]): tf.Tensor3D {
  const [S, B, X] = x.shape;
  return tf.tidy(() => {
    const idx = tf.tensor1d(reverseIndices(lengths, S), 'int32'); // [S·B]
    return tf.reshape(tf.gather(tf.reshape(x, [S * B, X]), idx), [S, B, X]) as tf.Tensor3D; // [S, B, X]
  });
}
