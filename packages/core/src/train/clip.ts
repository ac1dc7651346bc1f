/**
 * Gradient clipping (Pascanu, Mikolov & Bengio 2013):
 *
 *     by global norm:  ‖g‖ = √(Σ_k ‖g_k‖²);   g_k ← g_k · min(1, c / ‖g‖)
 *     by value:        g_k ← clip(g_k, −c, c)
 *
 * Pure functions on a name → gradient map; the inputs are left alone (the caller disposes them).
 */
import * as tf from '@tensorflow/tfjs';

export type Grads = Record<string, tf.Tensor>;

/** The global L2 norm √(Σ_k ‖g_k‖²) as a scalar tensor. */
export function globalNorm(grads: Grads): tf.Scalar {
  return tf.tidy(() => {
    const parts = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(parts.length ? tf.addN(parts) : tf.scalar(0)) as tf.Scalar;
  });
}

/** Rescale every gradient by min(1, maxNorm / ‖g‖). Returns new tensors and the norm before clipping. */
export function clipByGlobalNorm(grads: Grads, maxNorm: number): { grads: Grads; norm: number } {
  const normT = globalNorm(grads);
  const norm = normT.dataSync()[0];
  normT.dispose();
  const scale = norm > maxNorm && norm > 0 ? maxNorm / norm : 1;
  const out: Grads = {};
  for (const [k, g] of Object.entries(grads)) out[k] = tf.tidy(() => (scale === 1 ? g.clone() : tf.mul(g, scale)));
  return { grads: out, norm };
}

/** Clip every element of every gradient to [−maxValue, maxValue]. Returns new tensors. */
export function clipByValue(grads: Grads, maxValue: number): Grads {
  const out: Grads = {};
  for (const [k, g] of Object.entries(grads)) out[k] = tf.clipByValue(g, -maxValue, maxValue);
  return out;
}
