/**
 * Location addressing, step 3: sharpening (Graves et al. 2014, §3.3.2, eq. 9). The shift blurs the
 * weighting; a power γ ≥ 1 sharpens it again:
 *
 *     γ_t = 1 + softplus(γ̂_t) ≥ 1
 *     w_t(i) = w̃_t(i)^γ_t / Σ_j w̃_t(j)^γ_t                                  (eq. 9)
 *
 * Computed as w_t = softmax(γ_t log(w̃_t + ε)) (ε = 1e-12): the same ratio, but guarded — the plain
 * form underflows to 0/0 when every w̃(j)^γ is below float32's range (N = 128 uniform rows, γ = 20:
 * (1/128)^20 ≈ 7e-43), and the softmax's max-subtraction keeps it finite; w̃(i) = 0 gives
 * w(i) = 0 with a finite gradient.
 *
 * Shapes: wTilde [B, N], gammaHat [B, 1] → w [B, N], each row summing to 1 (eq. 1). Pure.
 */
import * as tf from '@tensorflow/tfjs';
import { checkShape } from './check.js';

/** The ε inside the logarithm of the guarded sharpening. */
export const SHARPEN_EPSILON = 1e-12;

export function sharpen(wTilde: tf.Tensor2D, gammaHat: tf.Tensor2D, epsilon = SHARPEN_EPSILON): tf.Tensor2D {
  const fn = 'sharpen';
  checkShape(fn, 'wTilde', wTilde, [-1, -1], 'a tensor of shape [B, N]');
  checkShape(fn, 'gammaHat', gammaHat, [wTilde.shape[0], 1], `a tensor of shape [${wTilde.shape[0]}, 1]`);
  const gamma = tf.add(1, tf.softplus(gammaHat)); // [B, 1], γ ≥ 1
  return tf.softmax(tf.mul(gamma, tf.log(tf.add(wTilde, epsilon)))) as tf.Tensor2D; // [B, N]
}
