/**
 * Vanilla (Elman) RNN step:
 *
 *     h_t = φ(x_t W + h_{t−1} U + b)          y_t = h_t
 *
 * the lecture's `h_t = φ(W x_t + U h_{t−1} + b)` in row-vector form (`kernel` = Wᵀ,
 * `recurrentKernel` = Uᵀ), with φ any activation of @rxrnn/core (step, hardSigmoid, hardTanh,
 * tanh, sigmoid, relu, softsign, linear) or a function.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActivationFn, StepResult } from '@rxrnn/core';

export interface RnnParams {
  kernel: tf.Tensor2D; // [X, H]
  recurrentKernel: tf.Tensor2D; // [H, H]
  bias: tf.Tensor1D; // [H]
}
export type RnnState = { h: tf.Tensor2D };

/** The pre-activation x_t W + h_{t−1} U + b (the step's `pre` extra). */
export function rnnPre(p: RnnParams, s: RnnState, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.add(tf.matMul(x, p.kernel), tf.matMul(s.h, p.recurrentKernel)), p.bias) as tf.Tensor2D; // [B, H]
}

export function rnnStep(p: RnnParams, s: RnnState, x: tf.Tensor2D, phi: ActivationFn, extras = false): StepResult<RnnState> {
  const pre = rnnPre(p, s, x); // [B, H]
  const h = phi(pre) as tf.Tensor2D; // [B, H]
  return [h, { h }, extras ? { pre } : undefined];
}
