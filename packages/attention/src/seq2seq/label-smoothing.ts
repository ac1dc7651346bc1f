/**
 * Cross entropy with label smoothing (Szegedy et al. 2016, "Rethinking the Inception Architecture",
 * §7): the one-hot target is mixed with the uniform distribution over the K classes,
 *
 *     q'(k) = (1 − ε) δ_{k,y} + ε / K
 *     ℓ     = −Σ_k q'(k) log p(k) = −(1 − ε) log p(y) − (ε / K) Σ_k log p(k)      p = softmax(logits)
 *
 * ε = 0 is the plain cross entropy. Per row `[B]`, the same contract as core's `LossFn`. Pure.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';

/** Check ε ∈ [0, 1). */
export function checkSmoothing(fn: string, epsilon: unknown): number {
  if (typeof epsilon !== 'number' || !(epsilon >= 0 && epsilon < 1)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.labelSmoothing', 'a number in [0, 1)', describe(epsilon));
  return epsilon;
}

/** ℓ_b for logits [B, K] and class ids [B] (int32): see the module comment. */
export function labelSmoothedCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, epsilon: number): tf.Tensor1D {
  return tf.tidy(() => {
    const K = logits.shape[1];
    const logp = tf.logSoftmax(logits); // [B, K]
    const nll = tf.neg(tf.sum(tf.mul(logp, tf.oneHot(targets, K)), 1)); // −log p(y) [B]
    if (epsilon === 0) return nll as tf.Tensor1D;
    const uniform = tf.neg(tf.mean(logp, 1)); // −(1/K) Σ_k log p(k) [B]
    return tf.add(tf.mul(1 - epsilon, nll), tf.mul(epsilon, uniform)) as tf.Tensor1D; // [B]
  });
}
