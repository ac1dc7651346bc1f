/**
 * The loss of the NTM's algorithmic tasks: each output bit is a Bernoulli with logit y, and a row's
 * loss is the summed binary cross entropy over its bits (Graves et al. 2014, §4: "cost per
 * sequence" is its sum over a sequence's output steps, in bits):
 *
 *     ℓ_b = Σ_j [max(y_bj, 0) − y_bj t_bj + log(1 + exp(−|y_bj|))]      (nats; ÷ ln 2 for bits)
 *
 * A core `LossFn` (y [B, K] logits, targets [B, K] in {0, 1} → [B]), for `createTrainer({ loss })`.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';

export function bitCrossEntropy(y: tf.Tensor2D, target: tf.Tensor): tf.Tensor1D {
  if (!(target instanceof tf.Tensor) || target.shape.join() !== y.shape.join()) throw rxrnnError(ErrorCodes.SHAPE, 'bitCrossEntropy', 'target', `a tensor of shape [${y.shape.join(', ')}]`, describe(target));
  return tf.tidy(() => {
    const t = tf.cast(target, 'float32');
    const l = tf.add(tf.sub(tf.relu(y), tf.mul(y, t)), tf.log1p(tf.exp(tf.neg(tf.abs(y))))); // [B, K]
    return tf.sum(l, 1) as tf.Tensor1D; // [B]
  });
}
