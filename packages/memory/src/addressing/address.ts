/**
 * The whole addressing mechanism of one head (Graves et al. 2014, §3.3, Fig. 2): content addressing,
 * interpolation with the previous weighting, circular shift, sharpening —
 *
 *     w^c = softmax(β K[k, M(i)])   (eqs. 5–6)      w^g = g w^c + (1 − g) w_{t−1}   (eq. 7)
 *     w̃ = w^g ⊛ s                   (eq. 8)         w = w̃^γ / Σ w̃^γ                 (eq. 9)
 *
 * from the head's raw outputs (k, β̂, ĝ, ŝ, γ̂; each activation is applied in its own step's file).
 * Shapes: memory [B, N, M], key [B, M], betaHat, gHat, gammaHat [B, 1], sHat [B, 2S + 1],
 * wPrev [B, N] → w [B, N]. Pure; run inside `tf.tidy`.
 */
import type * as tf from '@tensorflow/tfjs';
import { contentAddressing } from './content.js';
import { interpolate } from './interpolate.js';
import { circularShift } from './shift.js';
import { sharpen } from './sharpen.js';

/** A head's raw addressing outputs (before their activations). */
export interface AddressingOutputs {
  /** k_t [B, M]. */
  key: tf.Tensor2D;
  /** β̂_t [B, 1]; β = softplus(β̂). */
  betaHat: tf.Tensor2D;
  /** ĝ_t [B, 1]; g = σ(ĝ). */
  gHat: tf.Tensor2D;
  /** ŝ_t [B, 2S + 1]; s = softmax(ŝ). */
  sHat: tf.Tensor2D;
  /** γ̂_t [B, 1]; γ = 1 + softplus(γ̂). */
  gammaHat: tf.Tensor2D;
}

export function address(memory: tf.Tensor3D, head: AddressingOutputs, wPrev: tf.Tensor2D): tf.Tensor2D {
  const wc = contentAddressing(memory, head.key, head.betaHat); // [B, N]
  const wg = interpolate(wc, wPrev, head.gHat); // [B, N]
  const wt = circularShift(wg, head.sHat); // [B, N]
  return sharpen(wt, head.gammaHat); // [B, N]
}
