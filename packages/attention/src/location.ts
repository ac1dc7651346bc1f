/**
 * Location-aware attention of Chorowski, Bahdanau, Serdyuk, Cho & Bengio 2015 (§2.2, eqs. 8–9), with
 * the sharpening and smoothing of §2.3 — the attention listen-attend-spell style recognisers use:
 *
 *   f_i  = F * α_{i−1}                                 K filters of width r over the previous alignment
 *   e_ij = w^T tanh(W s_{i−1} + V h_j + U f_ij + b)
 *   α_ij = exp(β e_ij) / Σ_k exp(β e_ik)   or   σ(e_ij) / Σ_k σ(e_ik)   (smoothing)
 *
 * Parameters (row-vector layout; names follow the additive family):
 *   query_kernel    [Q, A]     W
 *   memory_kernel   [D, A]     V
 *   location_conv   [r, 1, K]  F (tfjs conv1d layout: width, in channels, filters; 'same' padding, r odd)
 *   location_kernel [K, A]     U
 *   attention_b     [A]        b
 *   attention_v     [A]        w
 */
import * as tf from '@tensorflow/tfjs';
import { checkSize, createRng, glorotUniform, uniformInit, rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import { param, checkWeightNames, type WeightsInput } from '@rxrnn/cells';
import { defineAttention } from './define.js';
import { additiveProject } from './additive.js';
import { project3d } from './normalise.js';
import type { Attention, AttendOptions, Memory } from './types.js';

export interface LocationOptions {
  querySize: number;
  keySize: number;
  /** Size A of the score network's hidden layer. */
  units: number;
  /** Number K of location filters. */
  filters: number;
  /** Width r of each filter (odd). */
  kernelSize: number;
  /** Sharpening β (§2.3). Default 1. */
  sharpening?: number;
  /** σ instead of exp in the normalisation (§2.3). Default false. */
  smoothing?: boolean;
  seed?: number;
  weights?: WeightsInput;
}

export type LocationParams = Record<'query_kernel' | 'memory_kernel' | 'location_conv' | 'location_kernel' | 'attention_b' | 'attention_v', tf.Variable>;

/**
 * f = F * α_{i−1}: prev [B, S] → [B, S, K], a 'same' cross-correlation with stride 1 (like conv1d),
 * written as r shifted copies of the zero-padded alignment times F, so its gradients need only pad,
 * slice and matMul (the wasm backend has no conv filter gradient).
 */
export function locationFeatures(conv: tf.Tensor3D, prev: tf.Tensor2D): tf.Tensor3D {
  const [B, S] = prev.shape;
  const [r, , K] = conv.shape;
  const half = (r - 1) / 2;
  const padded = prev.pad([[0, 0], [half, half]]); // [B, S + r − 1]
  const windows = tf.stack(Array.from({ length: r }, (_, t) => padded.slice([0, t], [B, S])), 2); // [B, S, r]: α_{j+t−half}
  return windows.reshape([B * S, r]).matMul(conv.reshape([r, K])).reshape([B, S, K]) as tf.Tensor3D; // [B·S, r] @ [r, K] → [B, S, K]
}

/** e_ij = w^T tanh(W s + [V h_j + b] + U f_ij): query [B, Q] → scores [B, S]. */
export function locationScore(p: LocationParams, query: tf.Tensor2D, memory: Memory, options: AttendOptions): tf.Tensor2D {
  const ws = query.matMul(p.query_kernel as tf.Tensor2D).expandDims(1); // W s [B, 1, A]
  const f = locationFeatures(p.location_conv as tf.Tensor3D, options.prevAlignment as tf.Tensor2D); // [B, S, K]
  const uf = project3d(f, p.location_kernel as tf.Tensor2D); // U f [B, S, A]
  const pre = (memory.projected as tf.Tensor3D).add(ws).add(uf); // [B, S, A]
  return pre.tanh().mul(p.attention_v).sum(-1) as tf.Tensor2D; // w^T tanh(·) [B, S]
}

/**
 * Chorowski et al.'s location-aware attention. `attend` needs `options.prevAlignment` (α_{i−1}; at
 * the first step, e.g. a one-hot on the first frame or a uniform row).
 */
export function locationAttention(options: LocationOptions): Attention<LocationParams> {
  const fn = 'locationAttention';
  const { querySize: Q, keySize: D, units: A, filters: K, kernelSize: r } = options ?? ({} as LocationOptions);
  checkSize(fn, 'options.querySize', Q);
  checkSize(fn, 'options.keySize', D);
  checkSize(fn, 'options.units', A);
  checkSize(fn, 'options.filters', K);
  checkSize(fn, 'options.kernelSize', r);
  if (r % 2 !== 1) throw rxrnnError(ErrorCodes.SIZE, fn, 'options.kernelSize', "an odd width (centred 'same' convolution)", `${r}`);
  const beta = options.sharpening ?? 1;
  if (typeof beta !== 'number' || !(beta > 0) || !Number.isFinite(beta)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.sharpening', 'a finite number > 0', describe(beta));
  checkWeightNames(fn, options.weights, ['query_kernel', 'memory_kernel', 'location_conv', 'location_kernel', 'attention_b', 'attention_v']);
  const rng = createRng(options.seed ?? 0);
  const w = options.weights;
  return defineAttention<LocationParams>({
    kind: 'location',
    querySize: Q,
    keySize: D,
    weights: {
      query_kernel: param(fn, w, 'query_kernel', [Q, A], () => glorotUniform(rng, Q, A)),
      memory_kernel: param(fn, w, 'memory_kernel', [D, A], () => glorotUniform(rng, D, A)),
      location_conv: param(fn, w, 'location_conv', [r, 1, K], () => glorotUniform(rng, r, K)),
      location_kernel: param(fn, w, 'location_kernel', [K, A], () => glorotUniform(rng, K, A)),
      attention_b: param(fn, w, 'attention_b', [A], () => new Float32Array(A)),
      attention_v: param(fn, w, 'attention_v', [A], () => uniformInit(rng, A, 1 / Math.sqrt(A))),
    },
    project: (p, keys) => additiveProject(p, keys), // V h_j + b [B, S, A]
    score: locationScore,
    normalise: { sharpening: beta, smoothing: options.smoothing ?? false },
    requires: ['prevAlignment'],
  });
}
