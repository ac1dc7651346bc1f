/**
 * 2-D Grid LSTM along time × depth (Kalchbrenner, Danihelka & Graves 2016, "Grid Long Short-Term
 * Memory", ICLR, §3), streamed one time step at a time.
 *
 * Form implemented: the grid has two dimensions, time t and depth n = 1..N. Block (t, n) receives
 * a hidden and a memory vector along each dimension — (h^T, m^T) from block (t−1, n) and (h^D, m^D)
 * from block (t, n−1) — concatenates the hiddens, H = [h^T, h^D] ([B, 2H]), and applies one LSTM
 * transform per dimension, each with its own weights and the same H (the paper's eq. 2, no
 * priority dimensions, weights untied across depth):
 *
 *     (h^T', m^T') = LSTM(H, m^T, W^T_n)      → carried to block (t+1, n)   (the state)
 *     (h^D', m^D') = LSTM(H, m^D, W^D_n)      → passed up to block (t, n+1)
 *
 * where LSTM(H, m, W) is the paper's eq. 1 (biases added; gate order u, f, c, o as in `lstm`):
 *
 *     [g^u g^f g^c g^o] = H W + b
 *     g^u, g^f, g^o = σ(·)    g^c = tanh(·)
 *     m' = g^f ⊙ m + g^u ⊙ g^c
 *     h' = tanh(g^o ⊙ m')                      (note: the paper's h', not o ⊙ tanh(m'))
 *
 * The input enters at the bottom of the depth dimension: h^D_0 = x_t I (a learned projection
 * `inputProjection` [X, H]), m^D_0 = 0. The output is the top block's depth hidden, y_t = h^D_N.
 * Each time step computes all N blocks of its column. State: `n.h`, `n.m` ([B, H]) per layer n,
 * the time-dimension vectors. Parameters: `inputProjection` [X, H]; per layer n = 0..N−1,
 * `layers.n.time.kernel`, `layers.n.depth.kernel` [2H, 4H] and `layers.n.time.bias`,
 * `layers.n.depth.bias` [4H].
 */
import * as tf from '@tensorflow/tfjs';
import type { StepResult, Extras, State } from '@rxrnn/core';

export interface GridLstmLayerParams {
  timeKernel: tf.Tensor2D; // [2H, 4H]
  timeBias: tf.Tensor1D; // [4H]
  depthKernel: tf.Tensor2D; // [2H, 4H]
  depthBias: tf.Tensor1D; // [4H]
}
export interface GridLstmParams {
  inputProjection: tf.Tensor2D; // [X, H]
  layers: GridLstmLayerParams[];
}
export type GridLstmState = State; // `${n}.h`, `${n}.m`: [B, H]

/** The paper's LSTM transform (eq. 1): (h', m') from the concatenated hiddens H and a memory m. */
export function gridLstmTransform(hcat: tf.Tensor2D, m: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D): [tf.Tensor2D, tf.Tensor2D] {
  const z = tf.add(tf.matMul(hcat, kernel), bias); // [B, 4H]
  const [gu, gf, gc, go] = tf.split(z, 4, 1); // 4 × [B, H]
  const m2 = tf.add(tf.mul(tf.sigmoid(gf), m), tf.mul(tf.sigmoid(gu), tf.tanh(gc))) as tf.Tensor2D; // [B, H]
  const h2 = tf.tanh(tf.mul(tf.sigmoid(go), m2)) as tf.Tensor2D; // [B, H]
  return [h2, m2];
}

export function gridLstmStep(p: GridLstmParams, s: GridLstmState, x: tf.Tensor2D, extras = false): StepResult<GridLstmState> {
  let hD = tf.matMul(x, p.inputProjection) as tf.Tensor2D; // h^D_0, [B, H]
  let mD = tf.zerosLike(hD) as tf.Tensor2D; // m^D_0, [B, H]
  const next: Record<string, tf.Tensor> = {};
  const ex: Extras = {};
  p.layers.forEach((l, n) => {
    const hT = s[`${n}.h`] as tf.Tensor2D; // [B, H]
    const mT = s[`${n}.m`] as tf.Tensor2D; // [B, H]
    const hcat = tf.concat([hT, hD], 1) as tf.Tensor2D; // H = [h^T, h^D], [B, 2H]
    const [hT2, mT2] = gridLstmTransform(hcat, mT, l.timeKernel, l.timeBias);
    const [hD2, mD2] = gridLstmTransform(hcat, mD, l.depthKernel, l.depthBias);
    next[`${n}.h`] = hT2;
    next[`${n}.m`] = mT2;
    if (extras) {
      ex[`${n}.depth.h`] = hD2;
      ex[`${n}.depth.m`] = mD2;
    }
    hD = hD2;
    mD = mD2;
  });
  return [hD, next, extras ? ex : undefined];
}
