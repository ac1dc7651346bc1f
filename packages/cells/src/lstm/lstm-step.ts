/**
 * LSTM step (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000), gate order
 * i, f, g, o as in PyTorch and Keras:
 *
 *     [i f g o] = x_t K + h_{t−1} R + b                       (pre-activations, [B, 4H])
 *     i = σ(i)  f = σ(f)  g = tanh(g)  o = σ(o)
 *     c_t = f ⊙ c_{t−1} + i ⊙ g
 *     h_t = o ⊙ tanh(c_t)            (with a projection, h_t ← h_t P, Sak et al. 2014)
 *     y_t = h_t
 *
 * σ is `recurrentActivation` (sigmoid by default; tfjs-layers uses hardSigmoid), tanh is `activation`.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActivationFn, StepResult } from '@rxrnn/core';

export interface LstmParams {
  kernel: tf.Tensor2D; // [X, 4H]
  recurrentKernel: tf.Tensor2D; // [P or H, 4H]
  bias: tf.Tensor1D; // [4H]
  projection?: tf.Tensor2D; // [H, P]
}
export type LstmState = { h: tf.Tensor2D; c: tf.Tensor2D };

export function lstmStep(p: LstmParams, s: LstmState, x: tf.Tensor2D, act: ActivationFn, gateAct: ActivationFn, extras = false): StepResult<LstmState> {
  const z = tf.add(tf.add(tf.matMul(x, p.kernel), tf.matMul(s.h, p.recurrentKernel)), p.bias) as tf.Tensor2D; // [B, 4H]
  const [zi, zf, zg, zo] = tf.split(z, 4, 1); // 4 × [B, H]
  const i = gateAct(zi); // input gate
  const f = gateAct(zf); // forget gate
  const g = act(zg); // candidate
  const o = gateAct(zo); // output gate
  const c = tf.add(tf.mul(f, s.c), tf.mul(i, g)) as tf.Tensor2D; // [B, H]
  const full = tf.mul(o, act(c)) as tf.Tensor2D; // [B, H]
  const h = p.projection ? (tf.matMul(full, p.projection) as tf.Tensor2D) : full; // [B, P] or [B, H]
  return [h, { h, c }, extras ? { i, f, g, o, c } : undefined];
}
