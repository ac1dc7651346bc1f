/**
 * Reading (Graves et al. 2014, §3.1, eq. 2): a read head with weighting w_t over the N rows returns
 * the convex combination of the rows,
 *
 *     r_t = Σ_i w_t(i) M_t(i)                                                 (eq. 2)
 *
 * Shapes: memory [B, N, M], w [B, N] → r [B, M]. Pure; run inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs';
import { checkShape } from './check.js';

export function readMemory(memory: tf.Tensor3D, w: tf.Tensor2D): tf.Tensor2D {
  const fn = 'readMemory';
  checkShape(fn, 'memory', memory, [-1, -1, -1], 'a tensor of shape [B, N, M]');
  const [B, N] = memory.shape;
  checkShape(fn, 'w', w, [B, N], `a tensor of shape [${B}, ${N}]`);
  return tf.squeeze(tf.matMul(tf.expandDims(w, 1), memory), [1]) as tf.Tensor2D; // [B, 1, N] @ [B, N, M] → [B, M]
}
