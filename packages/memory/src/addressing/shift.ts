/**
 * Location addressing, step 2: the circular convolutional shift (Graves et al. 2014, §3.3.2, eq. 8).
 * The head emits a distribution s_t over the allowed integer shifts −S … +S (S = 1 by default: −1, 0,
 * +1) as a softmax of its raw outputs ŝ_t, and the weighting is rotated by it, indices modulo N:
 *
 *     s_t = softmax(ŝ_t)                         ŝ_t, s_t: [2S + 1], entry j ↔ shift j − S
 *     w̃_t(i) = Σ_{k=−S}^{S} w^g_t(i − k mod N) s_t(k)                         (eq. 8)
 *
 * A shift of +1 with s = δ moves the focus one row forward (row i gets the weight row i − 1 had).
 * Shapes: wg [B, N], sHat [B, 2S + 1] → w̃ [B, N]. Pure; run inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import { checkShape } from './check.js';

/** `w` rotated by `k` rows: out(i) = w(i − k mod N). */
export function rotate(w: tf.Tensor2D, k: number): tf.Tensor2D {
  const N = w.shape[1];
  const r = ((k % N) + N) % N;
  if (r === 0) return w;
  return tf.concat([tf.slice(w, [0, N - r], [-1, r]), tf.slice(w, [0, 0], [-1, N - r])], 1) as tf.Tensor2D; // [B, N]
}

export function circularShift(wg: tf.Tensor2D, sHat: tf.Tensor2D): tf.Tensor2D {
  const fn = 'circularShift';
  checkShape(fn, 'wg', wg, [-1, -1], 'a tensor of shape [B, N]');
  const B = wg.shape[0];
  checkShape(fn, 'sHat', sHat, [B, -1], `a tensor of shape [${B}, 2S + 1]`);
  const width = sHat.shape[1];
  if (width % 2 !== 1) throw rxrnnError(ErrorCodes.SHAPE, fn, 'sHat', `a tensor of shape [${B}, 2S + 1] (an odd number of shifts)`, describe(sHat));
  const S = (width - 1) / 2;
  const s = tf.softmax(sHat); // [B, 2S + 1]
  const parts = tf.split(s, width, 1) as tf.Tensor2D[]; // (2S + 1) × [B, 1]
  let out: tf.Tensor2D | null = null;
  for (let j = 0; j < width; j++) {
    const term = tf.mul(rotate(wg, j - S), parts[j]) as tf.Tensor2D; // [B, N]
    out = out ? (tf.add(out, term) as tf.Tensor2D) : term;
  }
  return out!;
}
