/**
 * Per-row losses for training: each maps an output `y` [B, Y] and a target to a loss per batch row
 * `[B]`; the trainer masks and averages them over (time × batch).
 *
 *     softmaxCrossEntropy:  ℓ_b = −log softmax(y_b)[t_b]      (y: logits [B, V], t: ids [B])
 *     mse:                  ℓ_b = ½ Σ_j (y_bj − t_bj)²         (y, t: [B, Y])
 *
 * Cross entropy is in nats; divide by ln 2 for bits (bits per character).
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from '../errors.js';
import { tensorValues, tensorFrom } from '../tensor-memory.js';

/** A per-row loss: `(y [B, Y], target) → [B]`. Pure; run inside a tidy/gradient scope. */
export type LossFn = (y: tf.Tensor2D, target: tf.Tensor) => tf.Tensor1D;

export type LossName = 'softmaxCrossEntropy' | 'mse';

/** An in-place exp over an array (returns false when it cannot run); see {@link setExpKernel}. */
export type ExpKernel = (values: Float32Array) => boolean;
let expKernel: ExpKernel | null = null;

/**
 * Plug in a vectorised exp for {@link softmaxCrossEntropy}, for the whole process: a program's
 * explicit choice, made once at start-up (nothing calls it by itself). The fused kernels of
 * @rxrnn/kernels offer one: `setExpKernel(kernelExp())` — 208 k exps of a char-rnn batch take ~5 ms
 * with Math.exp, well under 1 ms in SIMD. `null` restores Math.exp.
 */
export function setExpKernel(fn: ExpKernel | null): void {
  expKernel = fn;
}

/** The exp installed by {@link setExpKernel}, or null (Math.exp). */
export function getExpKernel(): ExpKernel | null {
  return expKernel;
}

/**
 * −log softmax(y)[t] per row; `target` holds class ids `[B]` (int32 or float32 integers). A row whose
 * id is outside [0, V) has loss 0 and no gradient (a padding id under a mask).
 *
 * One fused op (`tf.customGrad`) in plain loops rather than five tfjs kernels and their gradients
 * (logSoftmax, oneHot, mul, sum, neg). Forward and backward of a char-rnn batch [3200, 65] on our
 * machines: 12.4 ms as tfjs-wasm kernels, 7.5 ms this way with the kernels' exp (setExpKernel), 12.9 ms
 * with Math.exp (`tools/bench/loss-op.ts`, 2026-11-26):
 *
 *     ℓ_b = log Σ_v exp(y_bv − m_b) + m_b − y_{b,t_b}       m_b = max_v y_bv
 *     ∂ℓ_b/∂y_bv = softmax(y_b)_v − [v = t_b]
 */
export function softmaxCrossEntropy(y: tf.Tensor2D, target: tf.Tensor): tf.Tensor1D {
  const [B, V] = y.shape;
  if (target.size !== B) throw rxrnnError(ErrorCodes.SHAPE, 'softmaxCrossEntropy', 'target', `${B} class ids (one per row of y [${B}, ${V}])`, describe(target));
  const ids = target.dataSync(); // [B]
  const op = tf.customGrad(((logits: tf.Tensor) => {
    const v = tensorValues(logits) as Float32Array; // [B·V] (a view: read before the first tfjs op below)
    const loss = new Float32Array(B); // [B]
    const p = new Float32Array(B * V); // y − max, then exp, then softmax rows (kept for the backward)
    const m = new Float32Array(B);
    const t = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const o = b * V;
      const id = Math.round(ids[b]);
      t[b] = id >= 0 && id < V ? id : -1; // (−1: loss 0, gradient 0, as the one-hot product gives)
      let mb = -Infinity;
      for (let j = 0; j < V; j++) if (v[o + j] > mb) mb = v[o + j];
      m[b] = mb;
      for (let j = 0; j < V; j++) p[o + j] = v[o + j] - mb;
    }
    if (!(expKernel && expKernel(p))) for (let i = 0; i < p.length; i++) p[i] = Math.exp(p[i]);
    for (let b = 0; b < B; b++) {
      if (t[b] < 0) continue;
      const o = b * V;
      let sum = 0;
      for (let j = 0; j < V; j++) sum += p[o + j];
      const inv = 1 / sum;
      for (let j = 0; j < V; j++) p[o + j] *= inv;
      loss[b] = Math.log(sum) + m[b] - v[o + t[b]];
    }
    return {
      value: tf.tensor1d(loss),
      gradFunc: (dy: tf.Tensor) => {
        const d = dy.dataSync(); // [B]
        return tensorFrom([B, V], (g) => {
          for (let b = 0; b < B; b++) {
            if (t[b] < 0 || d[b] === 0) continue;
            const o = b * V;
            for (let j = 0; j < V; j++) g[o + j] = d[b] * p[o + j];
            g[o + t[b]] -= d[b];
          }
        });
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(y) as tf.Tensor1D;
}

/** ½‖y − t‖² per row; `target` is `[B, Y]`. */
export function mse(y: tf.Tensor2D, target: tf.Tensor): tf.Tensor1D {
  return tf.mul(0.5, tf.sum(tf.square(tf.sub(y, target)), 1)) as tf.Tensor1D; // [B]
}

const named: Record<LossName, LossFn> = { softmaxCrossEntropy, mse };

/** Resolve a loss given by name or as a function. */
export function getLoss(loss: LossName | LossFn | undefined, fn: string): LossFn {
  if (loss === undefined) return softmaxCrossEntropy;
  if (typeof loss === 'function') return loss;
  const f = named[loss as LossName];
  if (!f) throw rxrnnError(ErrorCodes.UNKNOWN, fn, 'options.loss', `a function or one of ${Object.keys(named).join(', ')}`, describe(loss));
  return f;
}
