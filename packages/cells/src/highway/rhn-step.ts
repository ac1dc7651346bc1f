/**
 * Recurrent Highway Network step (Zilly, Srivastava, Koutník & Schmidhuber 2017, "Recurrent
 * Highway Networks", ICML, eqs. 6–9), recurrence depth L, row-vector form:
 *
 *     s_0^{[t]} = s_L^{[t−1]}                                   (the state carried between steps)
 *     for ℓ = 1..L:
 *       h_ℓ = tanh(x^{[t]} W_H 𝟙{ℓ=1} + s_{ℓ−1} R_{H_ℓ} + b_{H_ℓ})
 *       t_ℓ = σ(x^{[t]} W_T 𝟙{ℓ=1} + s_{ℓ−1} R_{T_ℓ} + b_{T_ℓ})
 *       c_ℓ = σ(x^{[t]} W_C 𝟙{ℓ=1} + s_{ℓ−1} R_{C_ℓ} + b_{C_ℓ})     (coupled: c_ℓ = 1 − t_ℓ)
 *       s_ℓ = h_ℓ ⊙ t_ℓ + s_{ℓ−1} ⊙ c_ℓ
 *     y^{[t]} = s_L^{[t]}
 *
 * Only the first highway layer sees the input. The state is `{ h: s_L }` (named `h` like the other
 * cells, so that state wrappers such as zoneout apply). Parameters (blocks of H columns, order
 * H, T[, C]): `kernel` [X, kH], and per layer ℓ = 0..L−1 `layers.ℓ.recurrentKernel` [H, kH],
 * `layers.ℓ.bias` [kH], with k = 2 when coupled, 3 otherwise.
 */
import * as tf from '@tensorflow/tfjs';
import type { StepResult, Extras } from '@rxrnn/core';

export interface RhnParams {
  kernel: tf.Tensor2D; // [X, kH]
  recurrentKernels: tf.Tensor2D[]; // L × [H, kH]
  biases: tf.Tensor1D[]; // L × [kH]
}
export type RhnState = { h: tf.Tensor2D };

export function rhnStep(p: RhnParams, s: RhnState, x: tf.Tensor2D, coupled: boolean, extras = false): StepResult<RhnState> {
  const k = coupled ? 2 : 3;
  const xk = tf.matMul(x, p.kernel); // [B, kH]
  let sl: tf.Tensor2D = s.h; // s_0 = s_L of the previous step, [B, H]
  const ex: Extras = {};
  p.recurrentKernels.forEach((r, l) => {
    let pre = tf.add(tf.matMul(sl, r), p.biases[l]); // [B, kH]
    if (l === 0) pre = tf.add(pre, xk);
    const parts = tf.split(pre, k, 1); // k × [B, H]
    const hl = tf.tanh(parts[0]); // candidate
    const tl = tf.sigmoid(parts[1]); // transform gate
    const cl = coupled ? tf.sub(1, tl) : tf.sigmoid(parts[2]); // carry gate
    sl = tf.add(tf.mul(hl, tl), tf.mul(sl, cl)) as tf.Tensor2D; // [B, H]
    if (extras) {
      ex[`${l}.t`] = tl;
      ex[`${l}.c`] = cl;
      ex[`${l}.s`] = sl;
    }
  });
  return [sl, { h: sl }, extras ? ex : undefined];
}
