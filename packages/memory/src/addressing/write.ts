/**
 * Writing (Graves et al. 2014, §3.2, eqs. 3–4): each write head h with weighting w^h_t erases, then
 * adds. Its raw outputs ê (erase) and a (add) give e = σ(ê) ∈ (0, 1)^M and the add vector as is:
 *
 *     M̃_t(i) = M_{t−1}(i) ⊙ Π_h [1 − w^h_t(i) e^h_t]                         (eq. 3)
 *     M_t(i) = M̃_t(i) + Σ_h w^h_t(i) a^h_t                                    (eq. 4)
 *
 * With several write heads the erasures multiply (they commute) and the adds sum, as the paper says.
 * Shapes: memory [B, N, M], per head w [B, N], eHat [B, M], add [B, M] → M_t [B, N, M]. Pure.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import { checkShape } from './check.js';

export interface WriteHead {
  /** The head's weighting w_t [B, N]. */
  w: tf.Tensor2D;
  /** Raw erase vector ê [B, M]; e = σ(ê). */
  eraseHat: tf.Tensor2D;
  /** Add vector a [B, M]. */
  add: tf.Tensor2D;
}

export function writeMemory(memory: tf.Tensor3D, heads: readonly WriteHead[]): tf.Tensor3D {
  const fn = 'writeMemory';
  checkShape(fn, 'memory', memory, [-1, -1, -1], 'a tensor of shape [B, N, M]');
  const [B, N, M] = memory.shape;
  if (!Array.isArray(heads) || heads.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'heads', 'a non-empty array of write heads', describe(heads));
  heads.forEach((h, i) => {
    checkShape(fn, `heads[${i}].w`, h?.w, [B, N], `a tensor of shape [${B}, ${N}]`);
    checkShape(fn, `heads[${i}].eraseHat`, h.eraseHat, [B, M], `a tensor of shape [${B}, ${M}]`);
    checkShape(fn, `heads[${i}].add`, h.add, [B, M], `a tensor of shape [${B}, ${M}]`);
  });
  let kept: tf.Tensor = memory; // M_{t−1}, then M̃_t
  let added: tf.Tensor | null = null;
  for (const h of heads) {
    const w = tf.expandDims(h.w, 2); // [B, N, 1]
    const e = tf.expandDims(tf.sigmoid(h.eraseHat), 1); // [B, 1, M]
    kept = tf.mul(kept, tf.sub(1, tf.mul(w, e))); // eq. 3: [B, N, M]
    const a = tf.mul(w, tf.expandDims(h.add, 1)); // w(i) a: [B, N, M]
    added = added ? tf.add(added, a) : a;
  }
  return tf.add(kept, added!) as tf.Tensor3D; // eq. 4: [B, N, M]
}
