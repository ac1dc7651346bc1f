/**
 * The LSTM of Greff et al. 2017 ("LSTM: A Search Space Odyssey", IEEE TNNLS 28(10)), i.e. the
 * peephole LSTM of Gers & Schmidhuber 2000 with forget gate, and its eight variants, as ONE pure
 * step parameterised by a {@link LstmVariantSpec}.
 *
 * Vanilla LSTM (Greff et al. §II, "forward pass"), in the paper's column-vector notation, with
 * y^{t−1} the previous block output (our `h`), g = h = tanh, σ the logistic sigmoid:
 *
 *     z̄ = W_z x^t + R_z y^{t−1} + b_z                       z = g(z̄)     block input
 *     ī = W_i x^t + R_i y^{t−1} + p_i ⊙ c^{t−1} + b_i        i = σ(ī)     input gate
 *     f̄ = W_f x^t + R_f y^{t−1} + p_f ⊙ c^{t−1} + b_f        f = σ(f̄)     forget gate
 *     c^t = z ⊙ i + c^{t−1} ⊙ f                                           cell
 *     ō = W_o x^t + R_o y^{t−1} + p_o ⊙ c^t + b_o            o = σ(ō)     output gate
 *     y^t = h(c^t) ⊙ o                                                    block output
 *
 * The eight variants (Greff et al. §III-B), each one change to the above:
 *
 *     NIG   no input gate            i = 1
 *     NFG   no forget gate           f = 1
 *     NOG   no output gate           o = 1
 *     NIAF  no input activation      g(x) = x
 *     NOAF  no output activation     h(x) = x
 *     NP    no peepholes             p_i = p_f = p_o = 0 (and absent)
 *     CIFG  coupled input–forget     f = 1 − i
 *     FGR   full gate recurrence     each gate also sees all three gates of the previous step:
 *             ī += R_ii i^{t−1} + R_fi f^{t−1} + R_oi o^{t−1}
 *             f̄ += R_if i^{t−1} + R_ff f^{t−1} + R_of o^{t−1}
 *             ō += R_io i^{t−1} + R_fo f^{t−1} + R_oo o^{t−1}      (9 matrices R_ab: gate a → gate b)
 *
 * Our layout is row-vector (`x @ kernel`), pre-activation blocks in the order i, f, g(=z), o as in
 * the base LSTM, with the blocks of an absent gate left out (NIG: f,g,o; NFG/CIFG: i,g,o; NOG:
 * i,f,g). The nine FGR matrices are one `gateRecurrentKernel` [3H, 3H] acting on the previous
 * gates [i f o]^{t−1} ([B, 3H]): its block at (row a, column b) is R_abᵀ. The previous gates
 * live in the state as `gates` (zeros at the start).
 */
import * as tf from '@tensorflow/tfjs';
import type { StepResult } from '@rxrnn/core';
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';

/** The variant names of Greff et al. 2017 (`vanilla` is their peephole LSTM). */
export const LSTM_VARIANTS = ['vanilla', 'NIG', 'NFG', 'NOG', 'NIAF', 'NOAF', 'NP', 'CIFG', 'FGR'] as const;
export type LstmVariant = (typeof LSTM_VARIANTS)[number];

/** A pre-activation block of the kernel: gates i, f, o and the block input g (Greff's z). */
export type LstmBlock = 'i' | 'f' | 'g' | 'o';

/** What a variant computes. Derived from the name by {@link lstmVariantSpec}. */
export interface LstmVariantSpec {
  readonly variant: LstmVariant;
  /** The pre-activation blocks present in `kernel`/`recurrentKernel`/`bias`, in column order. */
  readonly blocks: readonly LstmBlock[];
  /** Gates with a peephole weight (`peepholeI`, `peepholeF`, `peepholeO`). */
  readonly peepholes: readonly ('i' | 'f' | 'o')[];
  /** g = tanh (false: identity, NIAF). */
  readonly inputActivation: boolean;
  /** h = tanh (false: identity, NOAF). */
  readonly outputActivation: boolean;
  /** f = 1 − i (CIFG). */
  readonly coupled: boolean;
  /** Previous gates feed every gate (FGR). */
  readonly fullGateRecurrence: boolean;
}

/** The spec of a variant; an unknown name throws E_UNKNOWN listing the valid ones. */
export function lstmVariantSpec(variant: unknown, fn = 'lstmVariantSpec', arg = 'variant'): LstmVariantSpec {
  if (typeof variant !== 'string' || !(LSTM_VARIANTS as readonly string[]).includes(variant)) {
    throw rxrnnError(ErrorCodes.UNKNOWN, fn, arg, `one of ${LSTM_VARIANTS.map((v) => `'${v}'`).join(', ')}`, describe(variant));
  }
  const v = variant as LstmVariant;
  const blocks = (['i', 'f', 'g', 'o'] as const).filter((b) => !((b === 'i' && v === 'NIG') || (b === 'f' && (v === 'NFG' || v === 'CIFG')) || (b === 'o' && v === 'NOG')));
  const peepholes = v === 'NP' ? [] : (['i', 'f', 'o'] as const).filter((b) => blocks.includes(b));
  return { variant: v, blocks, peepholes, inputActivation: v !== 'NIAF', outputActivation: v !== 'NOAF', coupled: v === 'CIFG', fullGateRecurrence: v === 'FGR' };
}

export interface LstmVariantParams {
  kernel: tf.Tensor2D; // [X, nH], n = blocks.length (4, or 3 without a gate)
  recurrentKernel: tf.Tensor2D; // [H, nH]
  bias: tf.Tensor1D; // [nH]
  peepholeI?: tf.Tensor1D; // [H] p_i
  peepholeF?: tf.Tensor1D; // [H] p_f
  peepholeO?: tf.Tensor1D; // [H] p_o
  gateRecurrentKernel?: tf.Tensor2D; // [3H, 3H] FGR: rows [i f o]^{t−1}, columns ī f̄ ō
}

/** `h` [B, H] (Greff's y), `c` [B, H], and with FGR `gates` [B, 3H] = [i f o] of the previous step. */
export type LstmVariantState = { [name: string]: tf.Tensor2D; h: tf.Tensor2D; c: tf.Tensor2D };

/**
 * One step of the Greff et al. LSTM variant `spec` (equations in the module doc). Run in `tf.tidy`.
 * Extras: `i, f, g, o, c` ([B, H] each; an absent gate is reported as its constant 1).
 */
export function greffLstmStep(p: LstmVariantParams, s: LstmVariantState, x: tf.Tensor2D, spec: LstmVariantSpec, extras = false): StepResult<LstmVariantState> {
  const z = tf.add(tf.add(tf.matMul(x, p.kernel), tf.matMul(s.h, p.recurrentKernel)), p.bias) as tf.Tensor2D; // [B, nH]
  const parts = tf.split(z, spec.blocks.length, 1); // n × [B, H]
  const pre: Partial<Record<LstmBlock, tf.Tensor>> = {};
  spec.blocks.forEach((b, k) => (pre[b] = parts[k]));
  if (spec.fullGateRecurrence) {
    // FGR: + Σ_a R_ab a^{t−1} for b ∈ {i, f, o}
    const [ri, rf, ro] = tf.split(tf.matMul(s.gates, p.gateRecurrentKernel as tf.Tensor2D), 3, 1); // 3 × [B, H]
    pre.i = tf.add(pre.i as tf.Tensor, ri);
    pre.f = tf.add(pre.f as tf.Tensor, rf);
    pre.o = tf.add(pre.o as tf.Tensor, ro);
  }
  const peep = (zb: tf.Tensor, w: tf.Tensor1D | undefined, cell: tf.Tensor) => (w ? tf.add(zb, tf.mul(cell, w)) : zb); // [B, H]
  // null stands for a gate fixed at 1 (NIG, NFG, NOG): the product is skipped.
  const i = pre.i ? tf.sigmoid(peep(pre.i, p.peepholeI, s.c)) : null; // i = σ(ī), ī with p_i ⊙ c^{t−1}
  const f = spec.coupled ? tf.sub(1, i as tf.Tensor) : pre.f ? tf.sigmoid(peep(pre.f, p.peepholeF, s.c)) : null; // f = σ(f̄) or 1 − i
  const g = spec.inputActivation ? tf.tanh(pre.g as tf.Tensor) : (pre.g as tf.Tensor); // z = g(z̄)
  const c = tf.add(f ? tf.mul(f, s.c) : s.c, i ? tf.mul(i, g) : g) as tf.Tensor2D; // c^t = z ⊙ i + c^{t−1} ⊙ f   [B, H]
  const o = pre.o ? tf.sigmoid(peep(pre.o, p.peepholeO, c)) : null; // o = σ(ō), ō with p_o ⊙ c^t
  const hc = spec.outputActivation ? tf.tanh(c) : c; // h(c^t)
  const h = (o ? tf.mul(o, hc) : hc) as tf.Tensor2D; // y^t = h(c^t) ⊙ o   [B, H]
  const next: LstmVariantState = spec.fullGateRecurrence ? { h, c, gates: tf.concat([i, f, o] as tf.Tensor[], 1) as tf.Tensor2D } : { h, c }; // gates [B, 3H]
  if (!extras) return [h, next];
  const one = () => tf.onesLike(c);
  // c is cloned (same data, own handle) so that a receiver freeing its extras cannot free the state.
  return [h, next, { i: i ?? one(), f: f ?? one(), g, o: o ?? one(), c: tf.clone(c) }];
}
