/**
 * Content addressing (Graves, Wayne & Danihelka 2014, §3.3.1, eqs. 5–6): a head emits a key k_t [M]
 * and a key strength β̂_t; each memory row is weighted by its cosine similarity to the key,
 * sharpened by β and normalised by a softmax over the N rows:
 *
 *     K[u, v] = u · v / (‖u‖_ε ‖v‖_ε),     ‖u‖_ε = √(Σ u² + ε)             (eq. 6)
 *     β_t = softplus(β̂_t) ≥ 0
 *     w^c_t(i) = exp(β_t K[k_t, M_t(i)]) / Σ_j exp(β_t K[k_t, M_t(j)])       (eq. 5)
 *
 * The ε (default 1e-8) inside the norms keeps a zero key or a zero memory row finite (K = 0, not
 * 0/0) and its gradient finite too (∂‖u‖/∂u = u/‖u‖ is 0/0 at u = 0 without it).
 *
 * Shapes: memory [B, N, M], key [B, M], betaHat [B, 1] → w^c [B, N]. Pure; run inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs';
import { checkShape } from './check.js';

/** The ε inside the norms of the cosine similarity. */
export const COSINE_EPSILON = 1e-8;

/** Check memory [B, N, M] and key [B, M]; returns B. */
function checkMemoryKey(fn: string, memory: tf.Tensor3D, key: tf.Tensor2D): number {
  checkShape(fn, 'memory', memory, [-1, -1, -1], 'a tensor of shape [B, N, M]');
  const [B, , M] = memory.shape;
  checkShape(fn, 'key', key, [B, M], `a tensor of shape [${B}, ${M}]`);
  return B;
}

/** K[k, M(i)] for every row i (eq. 6): key [B, M], memory [B, N, M] → [B, N]. */
export function cosineSimilarity(memory: tf.Tensor3D, key: tf.Tensor2D, epsilon = COSINE_EPSILON): tf.Tensor2D {
  checkMemoryKey('cosineSimilarity', memory, key);
  const dot = tf.squeeze(tf.matMul(memory, tf.expandDims(key, 2)), [2]); // [B, N]
  const memNorm = tf.sqrt(tf.add(tf.sum(tf.square(memory), 2), epsilon)); // [B, N]
  const keyNorm = tf.sqrt(tf.add(tf.sum(tf.square(key), 1, true), epsilon)); // [B, 1]
  return tf.div(dot, tf.mul(memNorm, keyNorm)) as tf.Tensor2D; // [B, N]
}

/** w^c (eqs. 5–6) from the head's raw key strength β̂ (β = softplus(β̂)). */
export function contentAddressing(memory: tf.Tensor3D, key: tf.Tensor2D, betaHat: tf.Tensor2D, epsilon = COSINE_EPSILON): tf.Tensor2D {
  const B = checkMemoryKey('contentAddressing', memory, key);
  checkShape('contentAddressing', 'betaHat', betaHat, [B, 1], `a tensor of shape [${B}, 1]`);
  const beta = tf.softplus(betaHat); // [B, 1], β ≥ 0
  return tf.softmax(tf.mul(beta, cosineSimilarity(memory, key, epsilon))) as tf.Tensor2D; // [B, N]
}
