/**
 * Multiplicative attention of Luong, Pham & Manning 2015 (§3.1, eq. 8): the `dot` and `general`
 * scores (the `concat` score is additive; see `additive.ts`).
 *
 *   e_tj = h_t^T h̄_j                 dot      (needs Q = D)
 *   e_tj = h_t^T W_a h̄_j             general
 *
 * Parameters (row-vector layout, name of TensorFlow Addons' LuongAttention):
 *   memory_kernel [D, Q]   W_a^T, so the keys' projection h̄_j W_a^T [B, S, Q] is precomputed once per source.
 */
import * as tf from '@tensorflow/tfjs';
import { checkSize, createRng, glorotUniform, rxrnnError, ErrorCodes } from '@rxrnn/core';
import { param, checkWeightNames, type WeightsInput } from '@rxrnn/cells';
import { attendDot, type KernelRuntime, type KernelsConfig } from '@rxrnn/kernels';
import { defineAttention } from './define.js';
import { project3d, maskFloat } from './normalise.js';
import type { Attention, AttendOptions, AttendResult, Memory } from './types.js';

export interface LuongOptions {
  querySize: number;
  keySize: number;
  seed?: number;
  weights?: WeightsInput;
  /**
   * Attend (score, masked softmax, context) in one call of the fused kernels of @rxrnn/kernels while no
   * gradient tape records (inference); the tfjs ops stay the reference and run in training. Default
   * true (when the kernels load); `false` keeps the tfjs ops; a kernels config picks the kernels.
   */
  fused?: boolean | KernelsConfig;
}

export type GeneralParams = Record<'memory_kernel', tf.Variable>;

/** e_j = q · k_j: query [B, Q], keys (or their projection) [B, S, Q] → [B, S]. */
export function dotScore(query: tf.Tensor2D, keys: tf.Tensor3D): tf.Tensor2D {
  const [B, Q] = query.shape;
  return tf.matMul(keys, query.reshape([B, Q, 1])).reshape([B, keys.shape[1]]); // [B, S, Q] @ [B, Q, 1] → [B, S]
}

/** {@link dotScore} over `scored` ([B, S, Q]: the keys or their projection), the masked softmax and the context in one kernel call. */
function dotAttendFused(scored: (memory: Memory) => tf.Tensor3D) {
  return (_p: unknown, query: tf.Tensor2D, memory: Memory, options: AttendOptions, rt: KernelRuntime, taped: boolean): AttendResult | null => {
    if (taped) return null; // (no backward: training runs the tfjs ops)
    const { context, weights } = attendDot(query, scored(memory), memory.keys, { mask: maskFloat(options.mask) ?? undefined, kernels: rt }); // [B, D], [B, S]
    return { context, alignment: weights };
  };
}

/** Luong's `dot` score, h_t^T h̄_j. No parameters. */
export function dotAttention(options: Omit<LuongOptions, 'weights' | 'seed'>): Attention<Record<string, never>> {
  const fn = 'dotAttention';
  const { querySize: Q, keySize: D } = options ?? ({} as LuongOptions);
  checkSize(fn, 'options.querySize', Q);
  checkSize(fn, 'options.keySize', D);
  if (Q !== D) throw rxrnnError(ErrorCodes.SIZE, fn, 'options.keySize', `${Q} (= querySize: the dot score needs equal sizes)`, `${D}`);
  return defineAttention<Record<string, never>>({
    kind: 'dot',
    querySize: Q,
    keySize: D,
    weights: {},
    project: () => null,
    score: (_p, query, memory: Memory) => dotScore(query, memory.keys),
    fused: dotAttendFused((memory) => memory.keys),
    kernels: options.fused,
  });
}

/** Luong's `general` score, h_t^T W_a h̄_j, with h̄_j W_a^T precomputed. */
export function generalAttention(options: LuongOptions): Attention<GeneralParams> {
  const fn = 'generalAttention';
  const { querySize: Q, keySize: D } = options ?? ({} as LuongOptions);
  checkSize(fn, 'options.querySize', Q);
  checkSize(fn, 'options.keySize', D);
  checkWeightNames(fn, options.weights, ['memory_kernel']);
  const rng = createRng(options.seed ?? 0);
  return defineAttention<GeneralParams>({
    kind: 'general',
    querySize: Q,
    keySize: D,
    weights: { memory_kernel: param(fn, options.weights, 'memory_kernel', [D, Q], () => glorotUniform(rng, D, Q)) },
    project: (p, keys) => project3d(keys, p.memory_kernel as tf.Tensor2D), // h̄_j W_a^T [B, S, Q]
    score: (_p, query, memory) => dotScore(query, memory.projected as tf.Tensor3D), // [B, S]
    fused: dotAttendFused((memory) => memory.projected as tf.Tensor3D),
    kernels: options.fused,
  });
}
