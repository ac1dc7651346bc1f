/**
 * The common contract of every attention mechanism: parameters, the encoder side computed once
 * per source (`precompute`), and a decoder-side `score` / `attend` per step. All tensors are
 * batched: query [B, Q], keys (memory) [B, S, D], mask and alignments [B, S].
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '@rxrnn/core';

/** The encoder side of attention, computed once per source sequence by `precompute(keys)`. */
export interface Memory {
  /** The caller's keys [B, S, D] (not owned: `dispose()` leaves them alone). */
  readonly keys: tf.Tensor3D;
  /** The keys' projection [B, S, A] (e.g. U h_j + b), owned; null for mechanisms that need none. */
  readonly projected: tf.Tensor3D | null;
  /** Dispose what `precompute` allocated (the projection), not the keys. */
  dispose(): void;
}

/** Per-step inputs beside the query. */
export interface AttendOptions {
  /** 1 for real source positions, 0 for padding, [B, S] (float32 or bool). Padded positions get exactly zero weight. */
  mask?: tf.Tensor2D;
  /** The previous step's alignment α_{i−1} [B, S]; required by location-aware attention. */
  prevAlignment?: tf.Tensor2D;
  /** The coverage vector Σ_{k<i} α_k [B, S]; required when the mechanism was built with `coverage: true`. */
  coverage?: tf.Tensor2D;
  /** Training mode: monotonic attention and MoChA add seeded Gaussian pre-sigmoid noise (Raffel et al. 2017 §2.5) and use the expected alignment. Default false. */
  training?: boolean;
  /** The seeded source of the training noise (core's `StepContext.rng`); required with `training` unless `noise` is given. */
  rng?: Rng;
  /** Explicit pre-sigmoid noise [B, S] (monotonic attention and MoChA, training mode); overrides drawing it from `rng`. */
  noise?: tf.Tensor2D;
  /** Monotonic attention and MoChA: hard (`true`, inference) or expected (`false`, training) alignment. Default `!training`. */
  hard?: boolean;
}

/** What one attention step returns. */
export interface AttendResult {
  /** c_i = Σ_j α_ij h_j, [B, D]. */
  context: tf.Tensor2D;
  /** α_i, [B, S]; rows sum to 1 (0 for fully masked rows). */
  alignment: tf.Tensor2D;
  /**
   * Monotonic attention and MoChA only: the monotonic selection α_i [B, S] to pass as the next step's
   * `prevAlignment` (for MoChA `alignment` is the chunkwise β_i; for monotonic attention the two are the same tensor).
   */
  selection?: tf.Tensor2D;
}

/** How scores become weights: softmax (optionally sharpened by β) or Chorowski et al.'s sigmoid smoothing. */
export interface NormaliseOptions {
  /** Sharpening β of α = exp(β e_j) / Σ_k exp(β e_k) (Chorowski et al. 2015, §2.3). Default 1. */
  sharpening?: number;
  /** Use σ(e_j) / Σ_k σ(e_k) instead of the softmax (Chorowski et al. 2015, §2.3, "smoothing"). Default false. */
  smoothing?: boolean;
}

/** An attention mechanism with its parameters (tf.Variables, named as in the README's table). */
export interface Attention<P extends Record<string, tf.Variable> = Record<string, tf.Variable>> {
  readonly kind: AttentionKind;
  /** Size Q of the query (the decoder state s_{i−1} or h_t). */
  readonly querySize: number;
  /** Size D of each key (an encoder annotation h_j). */
  readonly keySize: number;
  readonly params: P;
  /**
   * True when `attend` runs on the fused kernels of @rxrnn/kernels (score, masked softmax and context in
   * one call) while no gradient tape records; the tfjs ops otherwise (training, and every `score` call).
   */
  readonly fused: boolean;
  /** The encoder side, once per source: keys [B, S, D] → a {@link Memory}. */
  precompute(keys: tf.Tensor3D): Memory;
  /** Unnormalised scores e_i [B, S] (masked positions are not filled here). */
  score(query: tf.Tensor2D, memory: Memory, options?: AttendOptions): tf.Tensor2D;
  /** Scores, masked normalisation and the context vector, in one tidy call. */
  attend(query: tf.Tensor2D, memory: Memory, options?: AttendOptions): AttendResult;
  /**
   * The α_0 a decoder starts from, [B, S], when the mechanism prescribes one (monotonic attention and
   * MoChA: all mass on the first position, Raffel et al. 2017's t_0 = 1); undefined otherwise.
   */
  initialAlignment?(batch: number, sourceLength: number, mask?: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

export type AttentionKind = 'additive' | 'dot' | 'general' | 'concat' | 'location' | 'monotonic' | 'mocha';
