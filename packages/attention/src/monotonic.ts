/**
 * Monotonic attention of Raffel, Luong, Liu, Weiss & Eck 2017 ("Online and linear-time attention by
 * enforcing monotonic alignments"): at each output step the decoder scans the source forward from
 * where it stopped last and stops at the first frame it selects.
 *
 *   e_ij = g v^T/‖v‖ tanh(W s_{i−1} + V h_j + b) + r          energy, §2.3 (weight normalisation, offset r)
 *   p_ij = σ(e_ij + ε_ij)                                    selection probability; ε ~ N(0, σ²) in training only (§2.5)
 *
 * Training (expected alignment, eqs. 9–13, computed in parallel over j):
 *
 *   q_ij = (1 − p_{i,j−1}) q_{i,j−1} + α_{i−1,j}               eq. 10
 *   α_ij = p_ij q_ij                                          eq. 11
 *   q_i  = cumprod(1 − p_i) ⊙ cumsum(α_{i−1} / cumprod(1 − p_i)) eq. 12 (cumprod exclusive)
 *
 * with the numerically safe exclusive cumprod exp(cumsum(log(clamp(1 − p, tiny, 1)))) and the division's
 * denominator clamped to [1e−10, 1] (as TensorFlow's `monotonic_attention`); c_i = Σ_j α_ij h_j.
 *
 * Inference (hard, Algorithm 1 with z_ij = 1[p_ij > 0.5]): t_i is the first j ≥ t_{i−1} with
 * p_ij > 0.5; α_i is one-hot at t_i and c_i = h_{t_i}; if no frame is selected, α_i = 0 and c_i = 0
 * (and every later step stays at zero). Since e_ij depends only on s_{i−1} and h_j, the decision needs only
 * the frames up to t_i: run it on the frames that have arrived so far, and a row whose alignment comes
 * back zero while the source is still arriving is "not yet" (see `monotonicStops`).
 *
 * Parameters (row-vector layout, `x @ kernel`, names of TensorFlow Addons' BahdanauMonotonicAttention
 * with its `normalize=True` weight normalisation):
 *   query_kernel  [Q, A]  W        memory_kernel [D, A]  V
 *   attention_v   [A]     v        attention_b   [A]     b
 *   attention_g   [1]     g (init 1/√A)                  attention_r   [1]   r (init −4)
 */
import * as tf from '@tensorflow/tfjs';
import { checkSize, createRng, glorotUniform, uniformInit, rxrnnError, ErrorCodes, describe, type ParamInit } from '@rxrnn/core';
import { param, checkWeightNames, type WeightsInput } from '@rxrnn/cells';
import { defineAttention } from './define.js';
import { contextOf, maskFloat, project3d } from './normalise.js';
import type { Attention, AttendOptions, AttendResult, Memory } from './types.js';

export interface MonotonicOptions {
  /** Size Q of the query (decoder state). */
  querySize: number;
  /** Size D of each key (encoder annotation). */
  keySize: number;
  /** Size A of the energy network's hidden layer. */
  units: number;
  /** Standard deviation σ of the pre-sigmoid Gaussian noise in training (Raffel et al. §2.5). Default 1; 0 turns it off. */
  noiseStd?: number;
  /** Initial value of the scalar offset r. Default −4 (Raffel et al.'s recommendation). */
  initialOffset?: number;
  seed?: number;
  weights?: WeightsInput;
}

export type MonotonicParams = Record<'query_kernel' | 'memory_kernel' | 'attention_v' | 'attention_b' | 'attention_g' | 'attention_r', tf.Variable>;

/** The selection threshold of hard monotonic attention (Raffel et al., Algorithm 1 at test time). */
export const SELECT_THRESHOLD = 0.5;
/** float32's smallest normal number: log(clamp(x, TINY, 1)) stays finite. */
const TINY = 1.1754943508222875e-38;

/** e_ij = g v^T/‖v‖ tanh(W s + [V h_j + b]) + r: query [B, Q], projected keys [B, S, A] → [B, S]. */
export function monotonicEnergy(
  p: Pick<MonotonicParams, 'query_kernel' | 'attention_v' | 'attention_g' | 'attention_r'>,
  query: tf.Tensor2D,
  projected: tf.Tensor3D,
): tf.Tensor2D {
  const ws = query.matMul(p.query_kernel as tf.Tensor2D).expandDims(1); // W s [B, 1, A]
  const vHat = p.attention_v.div(p.attention_v.norm()); // v/‖v‖ [A]
  const e = projected.add(ws).tanh().mul(vHat).sum(-1); // v^T/‖v‖ tanh(·) [B, S]
  return e.mul(p.attention_g).add(p.attention_r) as tf.Tensor2D; // g · … + r [B, S]
}

/** The numerically safe exclusive cumprod along the last axis: [1, x_1, x_1 x_2, …] = exp(cumsum(log(clamp(x, tiny, 1)), exclusive)). */
export function safeExclusiveCumprod(x: tf.Tensor2D): tf.Tensor2D {
  return tf.exp(tf.cumsum(tf.log(tf.clipByValue(x, TINY, 1)), 1, true)) as tf.Tensor2D; // [B, S]
}

/**
 * The expected alignment (Raffel et al. eqs. 11–12): selection probabilities p [B, S] and the previous
 * alignment α_{i−1} [B, S] → α_i [B, S], in parallel over j.
 */
export function expectedAlignment(p: tf.Tensor2D, prev: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const cp = safeExclusiveCumprod(tf.sub(1, p) as tf.Tensor2D); // Π_{l<j} (1 − p_il) [B, S]
    const q = cp.mul(tf.cumsum(prev.div(tf.clipByValue(cp, 1e-10, 1)), 1)); // eq. 12 [B, S]
    return p.mul(q) as tf.Tensor2D; // eq. 11 [B, S]
  });
}

/**
 * The hard decision (Algorithm 1, z = 1[p > 0.5]): from the first position where α_{i−1} > 0, the first
 * j with p_ij > 0.5 → α_i one-hot at t_i, or a zero row when there is none (or α_{i−1} is zero).
 * p [B, S] (0 at padding), prev [B, S] → [B, S].
 */
export function hardAlignment(p: tf.Tensor2D, prev: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const reachable = tf.cumsum(prev, 1).greater(0); // j ≥ t_{i−1} [B, S]
    const chosen = tf.logicalAnd(reachable, p.greater(SELECT_THRESHOLD)).toFloat(); // z_ij over the scan [B, S]
    const before = tf.cumsum(chosen, 1, true); // frames chosen before j [B, S]
    return chosen.mul(before.equal(0).toFloat()) as tf.Tensor2D; // the first one only [B, S]
  });
}

/** The stop position t_i of each row of a hard alignment [B, S] (−1 where no frame was selected). */
export function monotonicStops(alignment: tf.Tensor2D): Int32Array {
  const [B, S] = alignment.shape;
  const a = alignment.dataSync();
  const out = new Int32Array(B).fill(-1);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < S; j++) {
      if (a[b * S + j] > 0) {
        out[b] = j;
        break;
      }
    }
  }
  return out;
}

/** α_0: all mass on the first real position (t_0 = 1 in the paper), [B, S]; a fully masked row gets zeros. */
export function firstPositionAlignment(batch: number, sourceLength: number, mask?: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const first = tf.ones([batch, 1]).pad([[0, 0], [0, sourceLength - 1]]) as tf.Tensor2D; // [B, S]
    const m = maskFloat(mask);
    return (m ? first.mul(m) : first) as tf.Tensor2D;
  });
}

/** Selection probabilities p = σ(e + ε) ⊙ mask, with the training noise ε when asked. [B, S]. */
export function selectionProbabilities(scores: tf.Tensor2D, options: AttendOptions, noiseStd: number, hard: boolean): tf.Tensor2D {
  let e = scores; // [B, S]
  if (!hard && options.training) {
    if (options.noise) e = e.add(options.noise);
    else if (noiseStd > 0) e = e.add(tf.randomNormal(e.shape, 0, noiseStd, 'float32', options.rng!.seed()));
  }
  const p = tf.sigmoid(e) as tf.Tensor2D; // [B, S]
  const m = maskFloat(options.mask);
  return (m ? p.mul(m) : p) as tf.Tensor2D; // padding is never selected
}

/** Whether this call is hard (inference) or expected (training): `options.hard`, default `!training`. */
export const isHard = (options: AttendOptions): boolean => options.hard ?? !options.training;

/** Training noise needs a seeded rng (unless given explicitly or σ = 0): checked before anything is allocated. */
export function checkNoiseSource(fn: string, options: AttendOptions | undefined, noiseStd: number): void {
  const o = options ?? {};
  if (!isHard(o) && o.training && !o.noise && noiseStd > 0 && (!o.rng || typeof o.rng.seed !== 'function')) {
    throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.rng', 'a seeded Rng for the training noise (or options.noise, or noiseStd: 0)', describe(o.rng));
  }
}

/** The monotonic energy's initial weights (shared with MoChA). */
export function monotonicWeights(fn: string, options: MonotonicOptions, extra: string[], rng: ReturnType<typeof createRng>): Record<string, ParamInit> {
  const { querySize: Q, keySize: D, units: A } = options;
  checkSize(fn, 'options.querySize', Q);
  checkSize(fn, 'options.keySize', D);
  checkSize(fn, 'options.units', A);
  const noise = options.noiseStd ?? 1;
  if (!(noise >= 0 && Number.isFinite(noise))) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.noiseStd', 'a finite number ≥ 0', describe(noise));
  const r0 = options.initialOffset ?? -4;
  if (!Number.isFinite(r0)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.initialOffset', 'a finite number', describe(r0));
  checkWeightNames(fn, options.weights, ['query_kernel', 'memory_kernel', 'attention_v', 'attention_b', 'attention_g', 'attention_r', ...extra]);
  return {
    query_kernel: param(fn, options.weights, 'query_kernel', [Q, A], () => glorotUniform(rng, Q, A)),
    memory_kernel: param(fn, options.weights, 'memory_kernel', [D, A], () => glorotUniform(rng, D, A)),
    attention_v: param(fn, options.weights, 'attention_v', [A], () => uniformInit(rng, A, 1 / Math.sqrt(A))),
    attention_b: param(fn, options.weights, 'attention_b', [A], () => new Float32Array(A)),
    attention_g: param(fn, options.weights, 'attention_g', [1], () => Float32Array.of(1 / Math.sqrt(A))),
    attention_r: param(fn, options.weights, 'attention_r', [1], () => Float32Array.of(r0)),
  };
}

/** Wrap `attend` so the training-noise source is checked before the tidy allocates anything. */
export function withNoiseCheck<P extends Record<string, tf.Variable>>(att: Attention<P>, noiseStd: number): Attention<P> {
  const attend = att.attend;
  return Object.assign(att, {
    attend: (query: tf.Tensor2D, memory: Memory, options?: AttendOptions): AttendResult => {
      checkNoiseSource(`${att.kind}.attend`, options, noiseStd);
      return attend(query, memory, options);
    },
  });
}

/**
 * Raffel et al. 2017's monotonic attention: expected alignment in training, hard decisions at inference.
 * Needs `prevAlignment` (α_{i−1}; start from `initialAlignment`, one-hot at the first frame).
 *
 * @example
 * const att = monotonicAttention({ querySize: 4, keySize: 6, units: 5, seed: 1 });
 * const memory = att.precompute(keys);                                       // keys [B, S, 6]
 * let prev = att.initialAlignment!(B, S, mask);                               // one-hot at j = 0
 * const soft = att.attend(s, memory, { mask, prevAlignment: prev, training: true, rng }); // expected α [B, S]
 * const hard = att.attend(s, memory, { mask, prevAlignment: prev });          // one-hot at t_i (or zeros)
 */
export function monotonicAttention(options: MonotonicOptions): Attention<MonotonicParams> {
  const fn = 'monotonicAttention';
  const rng = createRng(options?.seed ?? 0);
  const weights = monotonicWeights(fn, options ?? ({} as MonotonicOptions), [], rng);
  const noiseStd = options.noiseStd ?? 1;
  const att = defineAttention<MonotonicParams>({
    kind: 'monotonic',
    querySize: options.querySize,
    keySize: options.keySize,
    weights: weights as never,
    project: (p, keys) => project3d(keys, p.memory_kernel as tf.Tensor2D).add(p.attention_b) as tf.Tensor3D, // V h_j + b [B, S, A]
    score: (p, query, memory) => monotonicEnergy(p, query, memory.projected as tf.Tensor3D), // e [B, S]
    align: (_p, e, _query, memory, o) => {
      const hard = isHard(o);
      const prob = selectionProbabilities(e, o, noiseStd, hard); // p [B, S]
      const alignment = hard ? hardAlignment(prob, o.prevAlignment!) : expectedAlignment(prob, o.prevAlignment!); // α_i [B, S]
      return { context: contextOf(alignment, memory.keys), alignment, selection: alignment }; // c_i [B, D]
    },
    requires: ['prevAlignment'],
    initialAlignment: firstPositionAlignment,
  });
  return withNoiseCheck(att, noiseStd);
}
