/**
 * MUT1, MUT2, MUT3: the three architectures found by evolutionary search in Jozefowicz, Zaremba &
 * Sutskever 2015, "An Empirical Exploration of Recurrent Network Architectures" (ICML), §3.2 —
 * transcribed exactly, in row-vector form (`x W` rather than `W x`):
 *
 *     MUT1:  z = σ(x W_xz + b_z)
 *            r = σ(x W_xr + h W_hr + b_r)
 *            h_{t+1} = tanh((r ⊙ h) W_hh + tanh(x) + b_h) ⊙ z + h ⊙ (1 − z)
 *
 *     MUT2:  z = σ(x W_xz + h W_hz + b_z)
 *            r = σ(x + h W_hr + b_r)
 *            h_{t+1} = tanh((r ⊙ h) W_hh + x W_xh + b_h) ⊙ z + h ⊙ (1 − z)
 *
 *     MUT3:  z = σ(x W_xz + tanh(h) W_hz + b_z)
 *            r = σ(x W_xr + h W_hr + b_r)
 *            h_{t+1} = tanh((r ⊙ h) W_hh + x W_xh + b_h) ⊙ z + h ⊙ (1 − z)
 *
 * (h = h_t, x = x_t; y = h_{t+1}.) MUT1's `tanh(x)` and MUT2's `x` are added to hidden-sized
 * vectors without a matrix, so those two variants need inputSize = hiddenSize, as in the paper.
 *
 * Parameters. `kernel` holds the input matrices side by side (one matMul per step, blocks of H
 * columns); each recurrent matrix is its own [H, H] parameter, so that a step never slices a
 * weight (slicing a weight in tfjs-wasm copies it: ~3 ms for [256, 768], 40× the matMul):
 *
 * | variant | kernel [X, ·]          | updateKernel  | resetKernel | candidateKernel | bias [3H]   |
 * |---------|------------------------|---------------|-------------|-----------------|-------------|
 * | MUT1    | W_xz W_xr   (2H)       | —             | W_hr        | W_hh            | b_z b_r b_h |
 * | MUT2    | W_xz W_xh   (2H)       | W_hz (on h)   | W_hr        | W_hh            | b_z b_r b_h |
 * | MUT3    | W_xz W_xr W_xh (3H)    | W_hz (tanh h) | W_hr        | W_hh            | b_z b_r b_h |
 */
import * as tf from '@tensorflow/tfjs';
import type { StepResult } from '@rxrnn/core';

export type MutVariant = 'MUT1' | 'MUT2' | 'MUT3';
export const MUT_VARIANTS: readonly MutVariant[] = ['MUT1', 'MUT2', 'MUT3'];

export interface MutParams {
  kernel: tf.Tensor2D; // [X, 2H] (MUT1, MUT2) or [X, 3H] (MUT3)
  updateKernel?: tf.Tensor2D; // [H, H]: W_hz (MUT2, MUT3)
  resetKernel: tf.Tensor2D; // [H, H]: W_hr
  candidateKernel: tf.Tensor2D; // [H, H]: W_hh
  bias: tf.Tensor1D; // [3H]: b_z, b_r, b_h
}
export type MutState = { h: tf.Tensor2D };

/** Column blocks (of H) of `kernel` per variant. */
export const MUT_BLOCKS: Readonly<Record<MutVariant, number>> = { MUT1: 2, MUT2: 2, MUT3: 3 };

export function mutStep(variant: MutVariant, p: MutParams, s: MutState, x: tf.Tensor2D, extras = false): StepResult<MutState> {
  const h = s.h; // [B, H]
  const [bz, br, bh] = tf.split(p.bias, 3); // 3 × [H]
  const xk = tf.matMul(x, p.kernel); // [B, 2H or 3H]
  const hr = tf.matMul(h, p.resetKernel); // h W_hr, [B, H]
  let z: tf.Tensor; // update gate [B, H]
  let r: tf.Tensor; // reset gate [B, H]
  let xin: tf.Tensor; // the input's term in the candidate, [B, H]
  if (variant === 'MUT1') {
    const [xz, xr] = tf.split(xk, 2, 1); // [B, H] each
    z = tf.sigmoid(tf.add(xz, bz));
    r = tf.sigmoid(tf.add(tf.add(xr, hr), br));
    xin = tf.tanh(x); // needs X = H
  } else if (variant === 'MUT2') {
    const [xz, xh] = tf.split(xk, 2, 1);
    z = tf.sigmoid(tf.add(tf.add(xz, tf.matMul(h, p.updateKernel!)), bz));
    r = tf.sigmoid(tf.add(tf.add(x, hr), br)); // x added directly: needs X = H
    xin = xh;
  } else {
    const [xz, xr, xh] = tf.split(xk, 3, 1);
    z = tf.sigmoid(tf.add(tf.add(xz, tf.matMul(tf.tanh(h), p.updateKernel!)), bz));
    r = tf.sigmoid(tf.add(tf.add(xr, hr), br));
    xin = xh;
  }
  const cand = tf.tanh(tf.add(tf.add(tf.matMul(tf.mul(r, h) as tf.Tensor2D, p.candidateKernel), xin), bh)); // [B, H]
  const next = tf.add(tf.mul(cand, z), tf.mul(h, tf.sub(1, z))) as tf.Tensor2D; // [B, H]
  return [next, { h: next }, extras ? { z, r, candidate: cand } : undefined];
}
