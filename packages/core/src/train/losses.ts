/**
 * Per-row losses for training: each maps an output `y` [B, Y] and a target to a loss per batch row
 * `[B]`; the trainer masks and averages them over (time × batch).
 *
 *     softmaxCrossEntropy:  ℓ_b = −log softmax(y_b)[t_b]      (y: logits [B, V], t: ids [B])
 *     mse:                  ℓ_b = ½ Σ_j (y_bj − t_bj)²         (y, t: [B, Y])
 *
 * Cross entropy is in nats; divide by ln 2 for bits (bits per character).
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from '../errors.js';

/** A per-row loss: `(y [B, Y], target) → [B]`. Pure; run inside a tidy/gradient scope. */
export type LossFn = (y: tf.Tensor2D, target: tf.Tensor) => tf.Tensor1D;

export type LossName = 'softmaxCrossEntropy' | 'mse';

/** −log softmax(y)[t] per row; `target` holds class ids `[B]` (int32 or float32 integers). */
export function softmaxCrossEntropy(y: tf.Tensor2D, target: tf.Tensor): tf.Tensor1D {
  const V = y.shape[1];
  const ids = target.dtype === 'int32' ? (tf.reshape(target, [-1]) as tf.Tensor1D) : (tf.cast(tf.reshape(target, [-1]), 'int32') as tf.Tensor1D); // [B]
  const logp = tf.logSoftmax(y); // [B, V]
  return tf.neg(tf.sum(tf.mul(logp, tf.oneHot(ids, V)), 1)) as tf.Tensor1D; // [B]
}

/** ½‖y − t‖² per row; `target` is `[B, Y]`. */
export function mse(y: tf.Tensor2D, target: tf.Tensor): tf.Tensor1D {
  return tf.mul(0.5, tf.sum(tf.square(tf.sub(y, target)), 1)) as tf.Tensor1D; // [B]
}

const named: Record<LossName, LossFn> = { softmaxCrossEntropy, mse };

/** Resolve a loss given by name or as a function. */
export function getLoss(loss: LossName | LossFn | undefined, fn: string): LossFn {
  if (loss === undefined) return softmaxCrossEntropy;
  if (typeof loss === 'function') return loss;
  const f = named[loss as LossName];
  if (!f) throw rxrnnError(ErrorCodes.UNKNOWN, fn, 'options.loss', `a function or one of ${Object.keys(named).join(', ')}`, describe(loss));
  return f;
}
