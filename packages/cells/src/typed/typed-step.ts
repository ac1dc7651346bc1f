/**
 * Strongly-typed recurrent units (Balduzzi & Ghifary 2016, "Strongly-Typed Recurrent Neural
 * Networks", ICML, §3): every learned matrix acts on inputs only; the state is updated elementwise
 * (no matrix touches h or c), so the recurrence is a "firmware" of gated averages over "learnware"
 * features of the input. Row-vector form (`x W` for the paper's `W x`):
 *
 *     T-RNN:   z_t = x_t W
 *              f_t = σ(x_t V + b)
 *              h_t = f_t ⊙ h_{t−1} + (1 − f_t) ⊙ z_t                          y_t = h_t
 *
 *     T-LSTM:  z_t = x_t W_z + x_{t−1} V_z + b_z
 *              f_t = σ(x_t W_f + x_{t−1} V_f + b_f)
 *              o_t = τ(x_t W_o + x_{t−1} V_o + b_o)
 *              c_t = f_t ⊙ c_{t−1} + (1 − f_t) ⊙ z_t
 *              h_t = c_t ⊙ o_t                                                y_t = h_t
 *
 *     T-GRU:   z_t, f_t, o_t as in T-LSTM
 *              h_t = f_t ⊙ h_{t−1} + z_t ⊙ o_t                                y_t = h_t
 *
 * σ is the logistic sigmoid, τ = tanh. In the paper the T-LSTM and T-GRU gates see the input of
 * this step and of the previous one (a width-2 convolution over time, the `x_{t−1} V` terms); the
 * previous input is carried in the state as `xPrev` (a copy; zeros before the first step). With
 * `lag: false` the `V` terms are dropped and every gate depends on x_t only.
 *
 * Parameters (blocks of H columns): T-RNN `kernel` [X, 2H] (W, V), `bias` [H] (b).
 * T-LSTM/T-GRU `kernel` [X, 3H] (W_z, W_f, W_o), `lagKernel` [X, 3H] (V_z, V_f, V_o; with lag),
 * `bias` [3H] (b_z, b_f, b_o).
 */
import * as tf from '@tensorflow/tfjs';
import type { StepResult } from '@rxrnn/core';

export interface TRnnParams {
  kernel: tf.Tensor2D; // [X, 2H]: W, V
  bias: tf.Tensor1D; // [H]: b (forget gate)
}
export type TRnnState = { h: tf.Tensor2D };

export interface TGatedParams {
  kernel: tf.Tensor2D; // [X, 3H]: W_z, W_f, W_o
  lagKernel?: tf.Tensor2D; // [X, 3H]: V_z, V_f, V_o
  bias: tf.Tensor1D; // [3H]: b_z, b_f, b_o
}
export type TLstmState = { c: tf.Tensor2D; xPrev?: tf.Tensor2D };
export type TGruState = { h: tf.Tensor2D; xPrev?: tf.Tensor2D };

export function tRnnStep(p: TRnnParams, s: TRnnState, x: tf.Tensor2D, extras = false): StepResult<TRnnState> {
  const [z, vf] = tf.split(tf.matMul(x, p.kernel), 2, 1); // [B, H] each
  const f = tf.sigmoid(tf.add(vf, p.bias)); // forget gate [B, H]
  const h = tf.add(tf.mul(f, s.h), tf.mul(tf.sub(1, f), z)) as tf.Tensor2D; // [B, H]
  return [h, { h }, extras ? { z, f } : undefined];
}

/** z, f, o of T-LSTM/T-GRU from x_t (and x_{t−1} with a lag kernel). */
function typedGates(p: TGatedParams, x: tf.Tensor2D, xPrev: tf.Tensor2D | undefined): [tf.Tensor, tf.Tensor, tf.Tensor] {
  let pre = tf.add(tf.matMul(x, p.kernel), p.bias); // [B, 3H]
  if (p.lagKernel && xPrev) pre = tf.add(pre, tf.matMul(xPrev, p.lagKernel));
  const [z, pf, po] = tf.split(pre, 3, 1); // [B, H] each
  return [z, tf.sigmoid(pf), tf.tanh(po)];
}

export function tLstmStep(p: TGatedParams, s: TLstmState, x: tf.Tensor2D, extras = false): StepResult<TLstmState> {
  const [z, f, o] = typedGates(p, x, s.xPrev);
  const c = tf.add(tf.mul(f, s.c), tf.mul(tf.sub(1, f), z)) as tf.Tensor2D; // [B, H]
  const h = tf.mul(c, o) as tf.Tensor2D; // [B, H]
  const next: TLstmState = p.lagKernel ? { c, xPrev: tf.clone(x) } : { c };
  return [h, next, extras ? { z, f, o, c } : undefined];
}

export function tGruStep(p: TGatedParams, s: TGruState, x: tf.Tensor2D, extras = false): StepResult<TGruState> {
  const [z, f, o] = typedGates(p, x, s.xPrev);
  const h = tf.add(tf.mul(f, s.h), tf.mul(z, o)) as tf.Tensor2D; // [B, H]
  const next: TGruState = p.lagKernel ? { h, xPrev: tf.clone(x) } : { h };
  return [h, next, extras ? { z, f, o } : undefined];
}
