/**
 * Monotonic chunkwise attention (MoChA) of Chiu & Raffel 2018: Raffel et al.'s monotonic selection
 * (see `monotonic.ts`) picks the stop t_i, then a soft attention over the chunk of w frames ending there.
 *
 *   u_ij = v_c^T tanh(W_c s_{i−1} + V_c h_j + b_c)                       chunk energy (its own parameters)
 *   inference: β_ij = exp(u_ij) / Σ_{l=t_i−w+1}^{t_i} exp(u_il) for t_i − w < j ≤ t_i     (§2.1; 0 elsewhere; c_i = 0 if no stop)
 *   training:  β_ij = Σ_{k=j}^{j+w−1} α_ik exp(u_ij) / Σ_{l=k−w+1}^{k} exp(u_il)          (§2.2, eq. 20)
 *            = exp(u_i) ⊙ MovingSum(α_i / MovingSum(exp(u_i), w−1, 0), 0, w−1)              (the parallel form)
 *   c_i = Σ_j β_ij h_j
 *
 * with MovingSum(x, b, f)_j = Σ_{k=j−b}^{j+f} x_k, α_i the expected monotonic alignment (training) and
 * exp(u) taken after subtracting the row's maximum over the real positions (β does not change). The
 * chunk energy is Bahdanau's additive energy (the paper leaves its form open; r and g would cancel
 * in the chunk's softmax). `attend` returns β as `alignment` and α_i as `selection`: pass `selection`
 * as the next step's `prevAlignment` (`attentionDecoder` does).
 *
 * Parameters: those of `monotonicAttention`, plus
 *   chunk_query_kernel [Q, A] W_c,  chunk_memory_kernel [D, A] V_c,  chunk_v [A] v_c,  chunk_b [A] b_c.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, glorotUniform, uniformInit, rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import { param } from '@rxrnn/cells';
import { defineAttention } from './define.js';
import { contextOf, maskFloat, normalise, project3d } from './normalise.js';
import {
  expectedAlignment,
  firstPositionAlignment,
  hardAlignment,
  isHard,
  monotonicEnergy,
  monotonicWeights,
  selectionProbabilities,
  withNoiseCheck,
  type MonotonicOptions,
  type MonotonicParams,
} from './monotonic.js';
import type { Attention } from './types.js';

export interface MochaOptions extends MonotonicOptions {
  /** The chunk width w ≥ 1 (w = 1 is monotonic attention with its own context). */
  chunkSize: number;
}

export type MochaParams = MonotonicParams & Record<'chunk_query_kernel' | 'chunk_memory_kernel' | 'chunk_v' | 'chunk_b', tf.Variable>;

/** MovingSum(x, back, forward)_j = Σ_{k=j−back}^{j+forward} x_k (zeros outside), x [B, S] → [B, S]: a 'valid' conv of the zero-padded row with ones. */
export function movingSum(x: tf.Tensor2D, back: number, forward: number): tf.Tensor2D {
  if (back === 0 && forward === 0) return x;
  const [B, S] = x.shape;
  return tf.tidy(() => {
    const padded = x.pad([[0, 0], [back, forward]]).reshape([B, S + back + forward, 1]) as tf.Tensor3D; // [B, S + b + f, 1]
    const ones = tf.ones([back + forward + 1, 1, 1]) as tf.Tensor3D; // [b + f + 1, in 1, out 1]
    return tf.conv1d(padded, ones, 1, 'valid').reshape([B, S]) as tf.Tensor2D; // [B, S]
  });
}

/** Chiu & Raffel eq. 20 in parallel: α_i [B, S], chunk energies u [B, S], chunk width w → β_i [B, S] (0 at padding). */
export function chunkwiseAttention(alpha: tf.Tensor2D, u: tf.Tensor2D, w: number, mask?: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const m = maskFloat(mask);
    const real = m ? tf.where(m.greater(0), u, tf.fill(u.shape, -1e9)) : u; // [B, S]
    const shifted = u.sub(real.max(-1, true)); // u − max over the real frames [B, S] (β is shift-invariant)
    const ex = m ? tf.exp(shifted).mul(m) : tf.exp(shifted); // exp(u_ij) [B, S]
    const den = movingSum(ex as tf.Tensor2D, w - 1, 0).maximum(1e-30); // Σ_{l=k−w+1}^{k} exp(u_il) [B, S]
    return ex.mul(movingSum(alpha.div(den) as tf.Tensor2D, 0, w - 1)) as tf.Tensor2D; // β_ij [B, S]
  });
}

/** The hard chunk: softmax of u over t_i − w + 1 … t_i (real frames), from the one-hot α_i [B, S]; zeros where α_i is zero. */
export function hardChunkAttention(alphaHard: tf.Tensor2D, u: tf.Tensor2D, w: number, mask?: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    let chunk = movingSum(alphaHard, 0, w - 1); // 1 for j ≤ t_i ≤ j + w − 1 [B, S]
    const m = maskFloat(mask);
    if (m) chunk = chunk.mul(m);
    return normalise(u, chunk); // masked softmax over the chunk; a row with no stop → zeros [B, S]
  });
}

/**
 * Chiu & Raffel 2018's monotonic chunkwise attention.
 *
 * @example
 * const att = mochaAttention({ querySize: 4, keySize: 6, units: 5, chunkSize: 3, seed: 1 });
 * const memory = att.precompute(keys);                                  // [V h + b; V_c h + b_c] [B, S, 2A]
 * const r = att.attend(s, memory, { mask, prevAlignment: att.initialAlignment!(B, S, mask) });
 * // r.alignment: β_i over the chunk [B, S]; r.selection: α_i, the next step's prevAlignment
 */
export function mochaAttention(options: MochaOptions): Attention<MochaParams> {
  const fn = 'mochaAttention';
  const w = options?.chunkSize;
  if (!Number.isInteger(w) || w < 1) throw rxrnnError(ErrorCodes.SIZE, fn, 'options.chunkSize', 'an integer ≥ 1', describe(w));
  const rng = createRng(options.seed ?? 0);
  const chunkNames = ['chunk_query_kernel', 'chunk_memory_kernel', 'chunk_v', 'chunk_b'];
  const weights = monotonicWeights(fn, options, chunkNames, rng);
  const { querySize: Q, keySize: D, units: A } = options;
  weights.chunk_query_kernel = param(fn, options.weights, 'chunk_query_kernel', [Q, A], () => glorotUniform(rng, Q, A));
  weights.chunk_memory_kernel = param(fn, options.weights, 'chunk_memory_kernel', [D, A], () => glorotUniform(rng, D, A));
  weights.chunk_v = param(fn, options.weights, 'chunk_v', [A], () => uniformInit(rng, A, 1 / Math.sqrt(A)));
  weights.chunk_b = param(fn, options.weights, 'chunk_b', [A], () => new Float32Array(A));
  const noiseStd = options.noiseStd ?? 1;
  const att = defineAttention<MochaParams>({
    kind: 'mocha',
    querySize: Q,
    keySize: D,
    weights: weights as never,
    project: (p, keys) =>
      tf.concat(
        [
          project3d(keys, p.memory_kernel as tf.Tensor2D).add(p.attention_b), // V h_j + b [B, S, A]
          project3d(keys, p.chunk_memory_kernel as tf.Tensor2D).add(p.chunk_b), // V_c h_j + b_c [B, S, A]
        ],
        2,
      ) as tf.Tensor3D, // [B, S, 2A]
    score: (p, query, memory) => monotonicEnergy(p, query, monotonicPart(memory.projected as tf.Tensor3D, A)), // e [B, S]
    align: (p, e, query, memory, o) => {
      const hard = isHard(o);
      const prob = selectionProbabilities(e, o, noiseStd, hard); // p [B, S]
      const alpha = hard ? hardAlignment(prob, o.prevAlignment!) : expectedAlignment(prob, o.prevAlignment!); // α_i [B, S]
      const u = chunkEnergy(p, query, (memory.projected as tf.Tensor3D).slice([0, 0, A], [-1, -1, A])); // u [B, S]
      const beta = hard ? hardChunkAttention(alpha, u, w, o.mask) : chunkwiseAttention(alpha, u, w, o.mask); // β_i [B, S]
      return { context: contextOf(beta, memory.keys), alignment: beta, selection: alpha }; // [B, D], [B, S], [B, S]
    },
    requires: ['prevAlignment'],
    initialAlignment: firstPositionAlignment,
  });
  return withNoiseCheck(att, noiseStd);
}

/** The monotonic half [B, S, A] of MoChA's projection [B, S, 2A]. */
const monotonicPart = (projected: tf.Tensor3D, A: number): tf.Tensor3D => projected.slice([0, 0, 0], [-1, -1, A]);

/** u_ij = v_c^T tanh(W_c s + [V_c h_j + b_c]): query [B, Q], projected chunk keys [B, S, A] → [B, S]. */
export function chunkEnergy(p: Pick<MochaParams, 'chunk_query_kernel' | 'chunk_v'>, query: tf.Tensor2D, projected: tf.Tensor3D): tf.Tensor2D {
  const ws = query.matMul(p.chunk_query_kernel as tf.Tensor2D).expandDims(1); // W_c s [B, 1, A]
  return projected.add(ws).tanh().mul(p.chunk_v).sum(-1) as tf.Tensor2D; // [B, S]
}
