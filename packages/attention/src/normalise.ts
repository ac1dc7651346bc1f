/**
 * Masked normalisation of attention scores and the context vector, shared by every mechanism.
 *
 *   α_ij = exp(β e_ij) / Σ_k exp(β e_ik)        (Bahdanau et al. 2014, eq. 6; β: Chorowski et al. 2015)
 *   α_ij = σ(e_ij) / Σ_k σ(e_ik)                (Chorowski et al. 2015, "smoothing")
 *   c_i  = Σ_j α_ij h_j                         (Bahdanau et al. 2014, eq. 5)
 *
 * Padded positions (mask 0) get a score of −1e9 before the softmax, whose exponential is exactly 0
 * in float32, and the weights are then multiplied by the mask, so a fully masked row gives α = 0 and
 * c = 0 instead of NaN.
 */
import * as tf from '@tensorflow/tfjs';
import type { NormaliseOptions } from './types.js';

/** A score low enough that exp(score − max) is exactly 0 in float32, yet finite (no NaN in gradients). */
const MASKED_SCORE = -1e9;

/** The mask as float32 0/1 [B, S], or null. */
export function maskFloat(mask: tf.Tensor2D | undefined): tf.Tensor2D | null {
  if (!mask) return null;
  return (mask.dtype === 'float32' ? mask : mask.toFloat()) as tf.Tensor2D;
}

/** Scores e [B, S] → weights α [B, S], masked and normalised. */
export function normalise(scores: tf.Tensor2D, mask: tf.Tensor2D | undefined, options: NormaliseOptions = {}): tf.Tensor2D {
  const m = maskFloat(mask); // [B, S] or null
  if (options.smoothing) {
    const s = tf.sigmoid(scores); // σ(e) [B, S]
    const kept = m ? s.mul(m) : s; // [B, S]
    return kept.div(kept.sum(-1, true).maximum(1e-30)) as tf.Tensor2D; // a fully masked row: 0 / tiny = 0
  }
  const beta = options.sharpening ?? 1;
  const e = beta === 1 ? scores : scores.mul(beta); // β e [B, S]
  if (!m) return tf.softmax(e) as tf.Tensor2D;
  const filled = tf.where(m.greater(0), e, tf.fill(e.shape, MASKED_SCORE)); // [B, S]
  return tf.softmax(filled).mul(m) as tf.Tensor2D; // exact zeros at padding; a fully masked row → 0
}

/** c = Σ_j α_j h_j: α [B, S], keys [B, S, D] → [B, S]·[B, S, D] = [B, D]. */
export function contextOf(alignment: tf.Tensor2D, keys: tf.Tensor3D): tf.Tensor2D {
  const [B, , D] = keys.shape;
  return tf.matMul(alignment.expandDims(1) as tf.Tensor3D, keys).reshape([B, D]); // [B, 1, S] @ [B, S, D] → [B, D]
}

/** x [B, S, D] @ w [D, A] → [B, S, A] (one GEMM over all B·S rows). */
export function project3d(x: tf.Tensor3D, w: tf.Tensor2D): tf.Tensor3D {
  const [B, S, D] = x.shape;
  return x.reshape([B * S, D]).matMul(w).reshape([B, S, w.shape[1]]) as tf.Tensor3D;
}
