/**
 * GRU step (Cho et al. 2014), gate order r, z, n as in PyTorch, in two forms.
 *
 * Reset-after (PyTorch; Keras `reset_after=True`; the default):
 *
 *     r = σ(x K_r + h R_r + b_r + b'_r)          z = σ(x K_z + h R_z + b_z + b'_z)
 *     n = tanh(x K_n + b_n + r ⊙ (h R_n + b'_n))
 *     h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 *
 * Reset-before (Cho et al. 2014 as written; Keras `reset_after=False`):
 *
 *     n = tanh(x K_n + (r ⊙ h) R_n + b_n)         (no recurrent bias)
 *
 * `bias` is b, `recurrentBias` is b' (reset-after only).
 */
import * as tf from '@tensorflow/tfjs';
import type { ActivationFn, StepResult } from '@rxrnn/core';

export interface GruParams {
  kernel: tf.Tensor2D; // [X, 3H]
  recurrentKernel: tf.Tensor2D; // [H, 3H]
  bias: tf.Tensor1D; // [3H]
  recurrentBias?: tf.Tensor1D; // [3H], reset-after only
}
export type GruState = { h: tf.Tensor2D };

export function gruStep(p: GruParams, s: GruState, x: tf.Tensor2D, act: ActivationFn, gateAct: ActivationFn, resetAfter: boolean, extras = false): StepResult<GruState> {
  const H = s.h.shape[1];
  const xz = tf.add(tf.matMul(x, p.kernel), p.bias) as tf.Tensor2D; // [B, 3H]
  const [xr, xu, xn] = tf.split(xz, 3, 1); // 3 × [B, H]
  let r: tf.Tensor;
  let z: tf.Tensor;
  let n: tf.Tensor;
  if (resetAfter) {
    let hz = tf.matMul(s.h, p.recurrentKernel) as tf.Tensor2D; // [B, 3H]
    if (p.recurrentBias) hz = tf.add(hz, p.recurrentBias);
    const [hr, hu, hn] = tf.split(hz, 3, 1);
    r = gateAct(tf.add(xr, hr));
    z = gateAct(tf.add(xu, hu));
    n = act(tf.add(xn, tf.mul(r, hn)));
  } else {
    // Slicing the weights every step would copy them (≈13 ns per element on tfjs-wasm, ms at
    // H = 256); multiplying by the whole recurrent kernel and keeping the columns needed is cheaper.
    const [hr, hu] = tf.split(tf.matMul(s.h, p.recurrentKernel), 3, 1); // [B, H] each (n third unused)
    r = gateAct(tf.add(xr, hr));
    z = gateAct(tf.add(xu, hu));
    const rh = tf.matMul(tf.mul(r, s.h), p.recurrentKernel); // [B, 3H]: (r ⊙ h) R, only its n third is used
    n = act(tf.add(xn, tf.slice(rh, [0, 2 * H], [-1, H])));
  }
  const h = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, s.h)) as tf.Tensor2D; // [B, H]
  return [h, { h }, extras ? { r, z, n } : undefined];
}
