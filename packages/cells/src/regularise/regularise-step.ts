/**
 * Training-time regularisers of recurrent cells, as pure steps around an inner cell's step.
 *
 * Variational (recurrent) dropout — Gal & Ghahramani 2016, "A Theoretically Grounded Application
 * of Dropout in Recurrent Neural Networks", §4: one Bernoulli mask per sequence (per batch row),
 * sampled at the first step and reused at every step, on the input and on the recurrent state:
 *
 *     m_x ~ Bernoulli(1 − p_x)^X / (1 − p_x),   m_h ~ Bernoulli(1 − p_h)^H / (1 − p_h)   (once per sequence)
 *     y_t, s_t = inner({ …s_{t−1}, h: h_{t−1} ⊙ m_h }, x_t ⊙ m_x)
 *
 * The masks live in the state (`dropout.input` [B, X], `dropout.recurrent` [B, H]) with a flag
 * `dropout.ready` [B, 1] (0 until a row has its masks): a row's masks are drawn at its first
 * training step, mask = ready ⊙ kept + (1 − ready) ⊙ fresh, without a read-back. Rows that join a
 * batch later (ready = 0) get their own masks. Scaling by 1/(1 − p) (inverted dropout) makes
 * inference the identity.
 *
 * Zoneout — Krueger et al. 2017, "Zoneout: Regularizing RNNs by Randomly Preserving Hidden
 * Activations", eq. 3–5: per unit and per step, keep the previous value with probability z:
 *
 *     training:   d_t ~ Bernoulli(z),   h_t = d_t ⊙ h_{t−1} + (1 − d_t) ⊙ h̃_t
 *     inference:  h_t = z h_{t−1} + (1 − z) h̃_t        (the expectation)
 *
 * where h̃_t is the inner cell's new value; for an LSTM this applies to h with z_h and to c with
 * z_c (h̃_t = o ⊙ tanh(c̃_t) uses the un-zoned c̃_t, as in the paper). When the inner cell's output
 * is its `h`, the output is the zoned h.
 *
 * All randomness comes from `ctx.rng` (seeded), through tfjs ops seeded by `rng.seed()`.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, type Extras, type Rng, type State, type StepContext, type StepResult } from '@rxrnn/core';

export type InnerStep = (state: State, x: tf.Tensor2D, ctx: StepContext) => StepResult;

export const DROPOUT_KEYS = { input: 'dropout.input', recurrent: 'dropout.recurrent', ready: 'dropout.ready' } as const;

/** Inverted-dropout mask [B, n]: 1/(1−p) with probability 1−p, else 0. */
export function dropoutMask(shape: [number, number], p: number, rng: Rng): tf.Tensor2D {
  const u = tf.randomUniform(shape, 0, 1, 'float32', rng.seed()); // [B, n]
  return tf.div(tf.cast(tf.greaterEqual(u, p), 'float32'), 1 - p) as tf.Tensor2D;
}

/** Zoneout mask [B, n]: 1 (keep the previous value) with probability z, else 0. */
export function zoneoutMask(shape: [number, number], z: number, rng: Rng): tf.Tensor2D {
  const u = tf.randomUniform(shape, 0, 1, 'float32', rng.seed()); // [B, n]
  return tf.cast(tf.less(u, z), 'float32') as tf.Tensor2D;
}

function needRng(fn: string, ctx: StepContext): Rng {
  if (!ctx.rng) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'ctx.rng', 'a seeded Rng when ctx.training is true', 'undefined');
  return ctx.rng;
}

export interface DropoutRates {
  input: number;
  recurrent: number;
  /** The inner state entry the recurrent mask applies to. */
  stateKey: string;
}

export function variationalDropoutStep(inner: InnerStep, rates: DropoutRates, s: State, x: tf.Tensor2D, ctx: StepContext): StepResult {
  const innerState: Record<string, tf.Tensor> = {};
  for (const [k, t] of Object.entries(s)) if (!k.startsWith('dropout.')) innerState[k] = t;
  const keptIn = s[DROPOUT_KEYS.input] as tf.Tensor2D; // [B, X]
  const keptRec = s[DROPOUT_KEYS.recurrent] as tf.Tensor2D; // [B, H]
  const ready = s[DROPOUT_KEYS.ready] as tf.Tensor2D; // [B, 1]
  if (!ctx.training) {
    const [y, next, extras] = inner(innerState, x, ctx);
    return [y, { ...next, [DROPOUT_KEYS.input]: keptIn, [DROPOUT_KEYS.recurrent]: keptRec, [DROPOUT_KEYS.ready]: ready }, extras];
  }
  const rng = needRng('variationalDropout.step', ctx);
  const notReady = tf.sub(1, ready); // [B, 1]
  const pick = (kept: tf.Tensor2D, p: number) => (p > 0 ? (tf.add(tf.mul(ready, kept), tf.mul(notReady, dropoutMask(kept.shape as [number, number], p, rng))) as tf.Tensor2D) : kept);
  const mIn = pick(keptIn, rates.input); // [B, X]
  const mRec = pick(keptRec, rates.recurrent); // [B, H]
  const xIn = rates.input > 0 ? (tf.mul(x, mIn) as tf.Tensor2D) : x;
  if (rates.recurrent > 0) innerState[rates.stateKey] = tf.mul(innerState[rates.stateKey], mRec);
  const [y, next, extras] = inner(innerState, xIn, ctx);
  const nowReady = tf.onesLike(ready) as tf.Tensor2D;
  return [y, { ...next, [DROPOUT_KEYS.input]: mIn, [DROPOUT_KEYS.recurrent]: mRec, [DROPOUT_KEYS.ready]: nowReady }, extras];
}

export function zoneoutStep(inner: InnerStep, rates: Readonly<Record<string, number>>, s: State, x: tf.Tensor2D, ctx: StepContext): StepResult {
  const [y, next, extras] = inner(s, x, ctx);
  const out: Record<string, tf.Tensor> = { ...next };
  const ex: Extras | undefined = extras ? { ...extras } : ctx.extras ? {} : undefined;
  let yOut = y;
  for (const [key, z] of Object.entries(rates)) {
    if (!(z > 0)) continue;
    const prev = s[key]; // [B, n]
    const cand = next[key]; // [B, n]
    let mixed: tf.Tensor;
    if (ctx.training) {
      const d = zoneoutMask(cand.shape as [number, number], z, needRng('zoneout.step', ctx)); // [B, n]
      mixed = tf.add(tf.mul(d, prev), tf.mul(tf.sub(1, d), cand));
      if (ex) ex[`zoneout.${key}`] = d;
    } else {
      mixed = tf.add(tf.mul(z, prev), tf.mul(1 - z, cand));
    }
    out[key] = mixed;
    if (cand === y) yOut = mixed as tf.Tensor2D;
  }
  return [yOut, out, ex];
}
