/**
 * Backpropagation through time, the forward half: unroll a cell over a chunk of T steps and
 * return the masked mean loss. Differentiating it (`tf.variableGrads`) is BPTT; the gradient of a
 * sum over time is the sum over time of the per-step gradients (Werbos 1990):
 *
 *     s_t, y_t = cell(s_{t−1}, x_t)                    (t = 0 … T−1)
 *     s_t ← m_t ⊙ s_t + (1 − m_t) ⊙ s_{t−1}            (masking: padded rows keep their state)
 *     L = Σ_{t ≥ t₀} Σ_b m_tb ℓ(y_tb, target_tb) / Σ_{t ≥ t₀} Σ_b m_tb
 *
 * `lossFrom` = t₀ lets truncated BPTT(k1, k2) count only the last k1 steps of a k2-step window.
 * The initial state is a constant here: gradients never flow into the previous chunk (that cut is
 * what makes BPTT truncated). Pure: no rxjs; call inside a tidy or gradient scope.
 */
import * as tf from '@tensorflow/tfjs';
import type { Cell, State, StepContext } from '../cell.js';
import type { LossFn } from './losses.js';

/** A chunk of T steps for a batch of B sequences. */
export interface SequenceBatch {
  /** `[T, B, X]` inputs (token ids as `[T, B, 1]` for an embedding). */
  inputs: tf.Tensor3D;
  /** `[T, B]` class ids (cross entropy) or `[T, B, Y]` (regression). */
  targets: tf.Tensor;
  /** `[T, B]`: 1 for a real step, 0 for padding. Default: all real. */
  mask?: tf.Tensor2D;
}

export interface UnrollOptions {
  /** Count the loss only from this step on (default 0). */
  lossFrom?: number;
  /** Also return the state after this many steps (1 … T). */
  stateAfter?: number;
  ctx?: StepContext;
}

export interface UnrollResult {
  /** Masked mean loss over the counted steps (a scalar). */
  loss: tf.Scalar;
  /** Σ m·ℓ over the counted steps. */
  sum: tf.Scalar;
  /** Σ m over the counted steps. */
  count: tf.Scalar;
  /** The state after the last step. */
  final: State;
  /** The state after `stateAfter` steps, if asked. */
  at?: State;
}

/** Blend the new state with the old one by the mask `m` [B, 1]: padded rows keep their state. */
export function maskState(next: State, prev: State, m: tf.Tensor2D): State {
  const out: Record<string, tf.Tensor> = {};
  for (const [k, t] of Object.entries(next)) {
    const p = prev[k];
    out[k] = p ? tf.add(tf.mul(m, t), tf.mul(tf.sub(1, m), p)) : t; // [B, ·]
  }
  return out;
}

/** Unroll `cell` over `batch` from `state0` and return the loss (see the module comment). */
export function unrollLoss(cell: Cell, state0: State, batch: SequenceBatch, loss: LossFn, options: UnrollOptions = {}): UnrollResult {
  const T = batch.inputs.shape[0];
  const from = options.lossFrom ?? 0;
  let state = state0;
  let at: State | undefined;
  const ys: tf.Tensor2D[] = [];
  if (cell.sequence && !batch.mask && options.stateAfter === undefined) {
    // The whole chunk in one call (fused kernels): the same numbers as the loop below.
    const [all, final] = cell.sequence(state0, batch.inputs, options.ctx ?? {}); // [T, B, Y]
    state = final;
    if (from < T) ys.push(tf.reshape(from === 0 ? all : tf.slice(all, from), [-1, all.shape[2]]) as tf.Tensor2D); // [(T − t₀)·B, Y]
  } else {
    const xs = tf.unstack(batch.inputs) as tf.Tensor2D[]; // T × [B, X]
    const ms = batch.mask ? (tf.unstack(batch.mask).map((m) => tf.reshape(m, [-1, 1])) as tf.Tensor2D[]) : null; // T × [B, 1]
    for (let t = 0; t < T; t++) {
      const [y, next] = cell.step(state, xs[t], options.ctx ?? {}); // y: [B, Y]
      state = ms ? maskState(next, state, ms[t]) : next;
      if (options.stateAfter === t + 1) at = state;
      if (t >= from) ys.push(y);
    }
  }
  // The loss is per row, so all counted steps go through it at once: [(T − t₀)·B, ·].
  let sum: tf.Scalar;
  let count: tf.Scalar;
  if (ys.length === 0) {
    sum = tf.scalar(0);
    count = tf.scalar(0);
  } else {
    const n = T - from;
    const y = tf.concat(ys, 0) as tf.Tensor2D; // [n·B, Y]
    const target = tf.reshape(tf.slice(batch.targets, from, n), [-1, ...batch.targets.shape.slice(2)]); // [n·B] or [n·B, Y]
    const l = loss(y, target); // [n·B]
    if (batch.mask) {
      const m = tf.reshape(tf.slice(batch.mask, from, n), [-1]); // [n·B]
      sum = tf.sum(tf.mul(l, m));
      count = tf.sum(m);
    } else {
      sum = tf.sum(l);
      count = tf.scalar(l.shape[0]);
    }
  }
  return { loss: tf.div(sum, tf.maximum(count, 1)) as tf.Scalar, sum, count, final: state, at };
}
