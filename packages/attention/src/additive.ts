/**
 * Additive (content-based) attention of Bahdanau, Cho & Bengio 2014 (eq. 6 and appendix A.1.2),
 * and Luong et al. 2015's `concat` score, which is the same function without the bias:
 *
 *   e_ij = v^T tanh(W s_{i−1} + U h_j + b)           additive (Bahdanau)
 *   e_ij = v^T tanh(W_a [s; h_j]) = v^T tanh(W s + U h_j)   concat (Luong), W_a = [W U]
 *
 * with See et al. 2017's coverage feature as an option (eq. 11): e_ij = v^T tanh(W s + U h_j + w_c c_ij + b),
 * c_i = Σ_{k<i} α_k (see `coverage.ts`).
 *
 * Parameters (row-vector layout, `x @ kernel`, names of TensorFlow Addons' BahdanauAttention):
 *   query_kernel  [Q, A]   W
 *   memory_kernel [D, A]   U
 *   attention_v   [A]      v
 *   attention_b   [A]      b        (additive only)
 *   coverage_kernel [A]    w_c      (with `coverage: true`)
 */
import type * as tf from '@tensorflow/tfjs';
import { checkSize, createRng, glorotUniform, uniformInit, type ParamInit } from '@rxrnn/core';
import { param, checkWeightNames, type WeightsInput } from '@rxrnn/cells';
import { attendAdditive, type KernelRuntime, type KernelsConfig } from '@rxrnn/kernels';
import { defineAttention } from './define.js';
import { project3d, maskFloat } from './normalise.js';
import type { Attention, AttendOptions, AttendResult, Memory } from './types.js';

export interface AdditiveOptions {
  /** Size Q of the query (decoder state). */
  querySize: number;
  /** Size D of each key (encoder annotation). */
  keySize: number;
  /** Size A of the hidden layer of the score network. */
  units: number;
  /** Add w_c c_ij to the score (See et al. 2017); `attend` then needs `options.coverage`. Default false. */
  coverage?: boolean;
  seed?: number;
  weights?: WeightsInput;
  /**
   * Attend (score, masked softmax, context) in one call of the fused kernels of @rxrnn/kernels while no
   * gradient tape records (inference); the tfjs ops below stay the reference and run in training.
   * Default true (when the kernels load); `false` keeps the tfjs ops; a kernels config picks the kernels.
   */
  fused?: boolean | KernelsConfig;
}

export type AdditiveParams = Record<'query_kernel' | 'memory_kernel' | 'attention_v', tf.Variable> &
  Partial<Record<'attention_b' | 'coverage_kernel', tf.Variable>>;

/** Precompute: U h_j + b, keys [B, S, D] @ [D, A] → [B, S, A], once per source. */
export function additiveProject(p: AdditiveParams, keys: tf.Tensor3D): tf.Tensor3D {
  const uh = project3d(keys, p.memory_kernel as tf.Tensor2D); // U h_j [B, S, A]
  return p.attention_b ? uh.add(p.attention_b) : uh; // + b [B, S, A]
}

/** e_ij = v^T tanh(W s + [U h_j + b] + w_c c_ij): query [B, Q] → scores [B, S]. */
export function additiveScore(p: AdditiveParams, query: tf.Tensor2D, memory: Memory, options: AttendOptions): tf.Tensor2D {
  const ws = query.matMul(p.query_kernel as tf.Tensor2D).expandDims(1); // W s [B, 1, A]
  let pre = (memory.projected as tf.Tensor3D).add(ws); // U h_j + b + W s [B, S, A]
  if (p.coverage_kernel && options.coverage) pre = pre.add(options.coverage.expandDims(2).mul(p.coverage_kernel)); // + w_c c_ij [B, S, A]
  return pre.tanh().mul(p.attention_v).sum(-1) as tf.Tensor2D; // v^T tanh(·) [B, S]
}

/**
 * {@link additiveScore}, the masked softmax and the context in one kernel call (`attendAdditive` of
 * @rxrnn/kernels), differentiable without coverage (its backward on the kernels too).
 */
export function additiveAttendFused(p: AdditiveParams, query: tf.Tensor2D, memory: Memory, options: AttendOptions, rt: KernelRuntime, taped: boolean): AttendResult | null {
  if (taped && p.coverage_kernel && options.coverage) return null; // (the kernels' backward has no coverage: the tfjs ops)
  const coverage = p.coverage_kernel && options.coverage ? { coverage: options.coverage.toFloat(), coverageKernel: p.coverage_kernel as tf.Tensor1D } : {};
  const { context, weights } = attendAdditive(query, p.query_kernel as tf.Tensor2D, memory.projected as tf.Tensor3D, p.attention_v as tf.Tensor1D, memory.keys, {
    mask: maskFloat(options.mask) ?? undefined,
    ...coverage,
    kernels: rt,
  }); // [B, D], [B, S]
  return { context, alignment: weights };
}

/** Initial weights of the additive family: Glorot-uniform kernels, v ~ U(±1/√A), zero bias and coverage weight. */
function additiveWeights(fn: string, options: AdditiveOptions, bias: boolean): Record<string, ParamInit> {
  const { querySize: Q, keySize: D, units: A } = options;
  checkSize(fn, 'options.querySize', Q);
  checkSize(fn, 'options.keySize', D);
  checkSize(fn, 'options.units', A);
  const names = ['query_kernel', 'memory_kernel', 'attention_v', ...(bias ? ['attention_b'] : []), ...(options.coverage ? ['coverage_kernel'] : [])];
  checkWeightNames(fn, options.weights, names);
  const rng = createRng(options.seed ?? 0);
  const w: Record<string, ParamInit> = {
    query_kernel: param(fn, options.weights, 'query_kernel', [Q, A], () => glorotUniform(rng, Q, A)),
    memory_kernel: param(fn, options.weights, 'memory_kernel', [D, A], () => glorotUniform(rng, D, A)),
    attention_v: param(fn, options.weights, 'attention_v', [A], () => uniformInit(rng, A, 1 / Math.sqrt(A))),
  };
  if (bias) w.attention_b = param(fn, options.weights, 'attention_b', [A], () => new Float32Array(A));
  if (options.coverage) w.coverage_kernel = param(fn, options.weights, 'coverage_kernel', [A], () => new Float32Array(A));
  return w;
}

/**
 * Bahdanau's additive attention.
 *
 * @example
 * const att = additiveAttention({ querySize: 4, keySize: 6, units: 5, seed: 1 });
 * const memory = att.precompute(keys);            // keys [B, S, 6]: U h_j + b once per source
 * const { context, alignment } = att.attend(s, memory, { mask }); // s [B, 4] → [B, 6], [B, S]
 */
export function additiveAttention(options: AdditiveOptions): Attention<AdditiveParams> {
  return additiveFamily('additive', 'additiveAttention', options, true);
}

/** Luong et al. 2015's `concat` score: v^T tanh(W_a [s; h]), W_a split as [W U] so U h is precomputed. */
export function concatAttention(options: AdditiveOptions): Attention<AdditiveParams> {
  return additiveFamily('concat', 'concatAttention', options, false);
}

/** Additive (with bias b) and concat (without) share projection and score; only the bias differs. */
function additiveFamily(kind: 'additive' | 'concat', fn: string, options: AdditiveOptions, bias: boolean): Attention<AdditiveParams> {
  return defineAttention<AdditiveParams>({
    kind,
    querySize: options.querySize,
    keySize: options.keySize,
    weights: additiveWeights(fn, options, bias) as never,
    project: additiveProject,
    score: additiveScore,
    fused: additiveAttendFused,
    kernels: options.fused,
    requires: options.coverage ? ['coverage'] : [],
  });
}
