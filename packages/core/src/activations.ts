/**
 * The activation functions φ of the lecture, by name.
 *
 * | name            | φ(x)                                   | note |
 * |-----------------|----------------------------------------|------|
 * | `step`          | 1 if x > 0 else 0 (Heaviside)          | surrogate gradient σ(x)(1−σ(x)) for training |
 * | `hardSigmoid`   | clip(0.2x + 0.5, 0, 1)                 | piecewise-linear sigmoid (Keras' definition) |
 * | `hardTanh`      | clip(x, −1, 1)                         | piecewise-linear tanh |
 * | `tanh`          | tanh x                                 | |
 * | `sigmoid`       | 1 / (1 + e^−x)                         | logistic |
 * | `relu`          | max(0, x)                              | |
 * | `softsign`      | x / (1 + |x|)                          | |
 * | `linear`        | x                                      | |
 *
 * The Heaviside step has zero derivative almost everywhere, so training through it uses a
 * *surrogate gradient*: the forward pass is the exact step, the backward pass uses the derivative
 * of the logistic sigmoid, σ(x)(1−σ(x)) (a smooth straight-through estimator).
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from './errors.js';

export type ActivationName = 'step' | 'hardSigmoid' | 'hardTanh' | 'tanh' | 'sigmoid' | 'relu' | 'softsign' | 'linear';
export type ActivationFn = (x: tf.Tensor) => tf.Tensor;
export type Activation = ActivationName | ActivationFn;

/** Heaviside step with the σ' surrogate gradient (see module doc). */
export const heaviside: ActivationFn = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.step(x, 0),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const s = tf.sigmoid(saved[0]);
      return tf.mul(dy, tf.mul(s, tf.sub(1, s)));
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as ActivationFn;

export const activations: Readonly<Record<ActivationName, ActivationFn>> = {
  step: heaviside,
  hardSigmoid: (x) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1),
  hardTanh: (x) => tf.clipByValue(x, -1, 1),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  relu: (x) => tf.relu(x),
  softsign: (x) => tf.div(x, tf.add(1, tf.abs(x))),
  linear: (x) => x,
};

export const activationNames = Object.keys(activations) as ActivationName[];

/** Resolve an activation given by name or as a function; `fn` names the caller for errors. */
export function getActivation(a: Activation, fn = 'getActivation', arg = 'activation'): ActivationFn {
  if (typeof a === 'function') return a;
  if (typeof a === 'string' && Object.prototype.hasOwnProperty.call(activations, a)) return activations[a as ActivationName];
  throw rxrnnError(ErrorCodes.UNKNOWN, fn, arg, `one of ${activationNames.join(', ')} or a function`, describe(a));
}
