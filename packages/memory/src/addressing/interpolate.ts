/**
 * Location addressing, step 1: the interpolation gate (Graves et al. 2014, §3.3.2, eq. 7). The head
 * blends the content weighting w^c_t with its own previous weighting w_{t−1}:
 *
 *     g_t = σ(ĝ_t) ∈ (0, 1)
 *     w^g_t = g_t w^c_t + (1 − g_t) w_{t−1}                                   (eq. 7)
 *
 * g ≈ 0 ignores the content and keeps iterating from where the head was (the copy task's read-back).
 * Shapes: wc, wPrev [B, N], gHat [B, 1] → w^g [B, N]. Pure; run inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs';
import { checkShape } from './check.js';

export function interpolate(wc: tf.Tensor2D, wPrev: tf.Tensor2D, gHat: tf.Tensor2D): tf.Tensor2D {
  const fn = 'interpolate';
  checkShape(fn, 'wc', wc, [-1, -1], 'a tensor of shape [B, N]');
  const [B, N] = wc.shape;
  checkShape(fn, 'wPrev', wPrev, [B, N], `a tensor of shape [${B}, ${N}]`);
  checkShape(fn, 'gHat', gHat, [B, 1], `a tensor of shape [${B}, 1]`);
  const g = tf.sigmoid(gHat); // [B, 1]
  return tf.add(tf.mul(g, wc), tf.mul(tf.sub(1, g), wPrev)) as tf.Tensor2D; // [B, N]
}
