/**
 * Layer-normalised LSTM step (Ba, Kiros & Hinton 2016, "Layer Normalization", §6 eqs. 20–22),
 * gate order i, f, g, o as in the base LSTM:
 *
 *     [i f g o] = LN(h_{t−1} R; α₁, β₁) + LN(x_t K; α₂, β₂) + b          (pre-activations, [B, 4H])
 *     c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g)
 *     h_t = σ(o) ⊙ tanh(LN(c_t; α₃, β₃))
 *
 * with LN(z; α, β) = α ⊙ (z − μ) / √(σ² + ε) + β, μ and σ² the mean and (biased) variance over the
 * features of each row of z (Ba et al. eq. 4; ε, not in the paper's equations, guards the division,
 * 1e-5 by default as in PyTorch's layer_norm). Each LN normalises the whole 4H pre-activation
 * vector, as in the paper (the normalisation does not depend on the gate order).
 */
import * as tf from '@tensorflow/tfjs';
import type { StepResult } from '@rxrnn/core';

export interface LayerNormLstmParams {
  kernel: tf.Tensor2D; // [X, 4H]  K
  recurrentKernel: tf.Tensor2D; // [H, 4H]  R
  bias: tf.Tensor1D; // [4H]  b
  lnInputGain: tf.Tensor1D; // [4H]  α₂
  lnInputBias: tf.Tensor1D; // [4H]  β₂
  lnRecurrentGain: tf.Tensor1D; // [4H]  α₁
  lnRecurrentBias: tf.Tensor1D; // [4H]  β₁
  lnCellGain: tf.Tensor1D; // [H]  α₃
  lnCellBias: tf.Tensor1D; // [H]  β₃
}
export type LayerNormLstmState = { h: tf.Tensor2D; c: tf.Tensor2D };

/** LN(z; α, β) over the last axis of z [B, n] (Ba et al. eq. 4, with ε). */
export function layerNorm(z: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D, epsilon: number): tf.Tensor2D {
  const { mean, variance } = tf.moments(z, 1, true); // [B, 1] each
  return tf.add(tf.mul(tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, epsilon))), gain), bias) as tf.Tensor2D; // [B, n]
}

/** One step of the layer-normalised LSTM (equations in the module doc). Extras: `i, f, g, o, c`. */
export function layerNormLstmStep(p: LayerNormLstmParams, s: LayerNormLstmState, x: tf.Tensor2D, epsilon = 1e-5, extras = false): StepResult<LayerNormLstmState> {
  const zx = layerNorm(tf.matMul(x, p.kernel), p.lnInputGain, p.lnInputBias, epsilon); // LN(x K) [B, 4H]
  const zh = layerNorm(tf.matMul(s.h, p.recurrentKernel), p.lnRecurrentGain, p.lnRecurrentBias, epsilon); // LN(h R) [B, 4H]
  const z = tf.add(tf.add(zh, zx), p.bias) as tf.Tensor2D; // [B, 4H]
  const [zi, zf, zg, zo] = tf.split(z, 4, 1); // 4 × [B, H]
  const i = tf.sigmoid(zi);
  const f = tf.sigmoid(zf);
  const g = tf.tanh(zg);
  const o = tf.sigmoid(zo);
  const c = tf.add(tf.mul(f, s.c), tf.mul(i, g)) as tf.Tensor2D; // [B, H]
  const h = tf.mul(o, tf.tanh(layerNorm(c, p.lnCellGain, p.lnCellBias, epsilon))) as tf.Tensor2D; // [B, H]
  // c is cloned in the extras (same data, own handle) so that freeing the extras cannot free the state.
  return [h, { h, c }, extras ? { i, f, g, o, c: tf.clone(c) } : undefined];
}
