/**
 * `lstmVariantCell`: the peephole LSTM (Gers & Schmidhuber 2000) and the eight variants of
 * Greff et al. 2017 as a {@link Cell} of kind `'lstm-variant'`; `peepholeLstmCell` and
 * `cifgLstmCell` are shorthands. Equations: see `greff-lstm-step.ts`.
 *
 * Parameters (row-vector layout, `x @ kernel`), with n the number of pre-activation blocks:
 * - `kernel` [X, nH], `recurrentKernel` [H, nH], `bias` [nH]: blocks in the order i, f, g, o of the
 *   base LSTM, **the absent gate's block left out** (n = 3): NIG → f, g, o; NFG and CIFG → i, g, o;
 *   NOG → i, f, g. Every other variant has n = 4. (No dead, untrainable columns.)
 * - `peepholeI`, `peepholeF`, `peepholeO` [H]: the diagonal peepholes p_i, p_f (on c_{t−1}) and p_o
 *   (on c_t), for each gate that exists; none for NP; CIFG has no `peepholeF` (f = 1 − i).
 * - FGR only: `gateRecurrentKernel` [3H, 3H], the nine R_ab (gate a at t−1 → gate b) as blocks
 *   R_abᵀ at (row a, column b), a, b in the order i, f, o.
 *
 * Default initialisation: Glorot-uniform kernel, orthogonal recurrent kernel, peepholes
 * U(±1/√H), `gateRecurrentKernel` Glorot-uniform; zero bias except the forget gate's, set to
 * `forgetBias` (default 1; it has no effect for NFG and CIFG, which have no forget-gate bias).
 * Config: `{ kind: 'lstm-variant', variant, inputSize, hiddenSize }`; state `h`, `c` [B, H]
 * (FGR adds `gates` [B, 3H], the previous step's i, f, o, zero at the start).
 *
 * 'vanilla', 'NP' and 'CIFG' step (and run whole chunks) on the fused kernels of @rxrnn/kernels by
 * default, like `lstmCell`; the other variants keep the tfjs step.
 */
import * as tf from '@tensorflow/tfjs';
import { defineCell, checkSize, createRng, glorotUniform, orthogonal, uniformInit, type Cell } from '@rxrnn/core';
import type { KernelsConfig } from '@rxrnn/kernels';
import { withFusedPath } from '../fused/fuse-cell.js';
import { greffLstmStep, lstmVariantSpec, type LstmVariant, type LstmVariantParams, type LstmVariantSpec, type LstmVariantState } from './greff-lstm-step.js';
import { param, checkWeightNames, type WeightsInput } from '../shared/weights.js';

export interface LstmVariantCellOptions {
  /** One of {@link LSTM_VARIANTS}: 'vanilla' (peephole LSTM), 'NIG', 'NFG', 'NOG', 'NIAF', 'NOAF', 'NP', 'CIFG', 'FGR'. */
  variant: LstmVariant;
  inputSize: number;
  hiddenSize: number;
  /** Initial forget-gate bias. Default 1. */
  forgetBias?: number;
  seed?: number;
  /**
   * Step (and run whole chunks, in training) on the fused kernels of @rxrnn/kernels when they cover
   * the variant ('vanilla', 'NP', 'CIFG') — same parameters, same numbers within float32 round-off.
   * Default true; `false` keeps the plain tfjs step (so does `RXRNN_KERNELS=off`); a kernels config
   * picks the kernels (`{ native: false }`: WebAssembly).
   */
  fused?: boolean | KernelsConfig;
  weights?: WeightsInput;
}

/** The parameter names of a variant's cell, in order. */
export function lstmVariantWeightNames(variant: LstmVariant): string[] {
  const spec = lstmVariantSpec(variant, 'lstmVariantWeightNames');
  const names = ['kernel', 'recurrentKernel', 'bias', ...spec.peepholes.map((g) => `peephole${g.toUpperCase()}`)];
  if (spec.fullGateRecurrence) names.push('gateRecurrentKernel');
  return names;
}

function buildVariantCell(fn: string, variant: unknown, options: Omit<LstmVariantCellOptions, 'variant'>): Cell<LstmVariantState> {
  const { inputSize: X, hiddenSize: H } = options ?? ({} as LstmVariantCellOptions);
  const spec: LstmVariantSpec = lstmVariantSpec(variant, fn, 'options.variant');
  checkSize(fn, 'options.inputSize', X);
  checkSize(fn, 'options.hiddenSize', H);
  const names = lstmVariantWeightNames(spec.variant);
  checkWeightNames(fn, options.weights, names);
  const rng = createRng(options.seed ?? 0);
  const forgetBias = options.forgetBias ?? 1;
  const n = spec.blocks.length;
  const fAt = spec.blocks.indexOf('f');
  const params: Record<string, ReturnType<typeof param>> = {
    kernel: param(fn, options.weights, 'kernel', [X, n * H], () => glorotUniform(rng, X, n * H)),
    recurrentKernel: param(fn, options.weights, 'recurrentKernel', [H, n * H], () => orthogonal(rng, H, n * H)),
    bias: param(fn, options.weights, 'bias', [n * H], () => {
      const b = new Float32Array(n * H);
      if (fAt >= 0) b.fill(forgetBias, fAt * H, (fAt + 1) * H);
      return b;
    }),
  };
  for (const name of names.slice(3)) {
    params[name] =
      name === 'gateRecurrentKernel'
        ? param(fn, options.weights, name, [3 * H, 3 * H], () => glorotUniform(rng, 3 * H, 3 * H))
        : param(fn, options.weights, name, [H], () => uniformInit(rng, H, 1 / Math.sqrt(H)));
  }
  const cell = defineCell<LstmVariantParams & Record<string, tf.Tensor>, LstmVariantState>({
    kind: 'lstm-variant',
    inputSize: X,
    outputSize: H,
    config: { variant: spec.variant, inputSize: X, hiddenSize: H },
    params: params as never,
    initialState: (_p, b) => {
      const s: LstmVariantState = { h: tf.zeros([b, H]), c: tf.zeros([b, H]) };
      if (spec.fullGateRecurrence) s.gates = tf.zeros([b, 3 * H]);
      return s;
    },
    step: (p, s, x, ctx) => greffLstmStep(p, s, x, spec, ctx.extras),
  });
  return withFusedPath(cell, options.fused);
}

/** A cell of the LSTM variant `options.variant` (Greff et al. 2017). */
export function lstmVariantCell(options: LstmVariantCellOptions): Cell<LstmVariantState> {
  return buildVariantCell('lstmVariantCell', options?.variant, options);
}

/** The peephole LSTM of Gers & Schmidhuber 2000 (Greff et al.'s vanilla LSTM): `lstmVariantCell({ variant: 'vanilla', … })`. */
export function peepholeLstmCell(options: Omit<LstmVariantCellOptions, 'variant'>): Cell<LstmVariantState> {
  return buildVariantCell('peepholeLstmCell', 'vanilla', options);
}

/** The coupled input–forget gate LSTM (f = 1 − i, with peepholes on i and o, as Greff et al.'s CIFG). */
export function cifgLstmCell(options: Omit<LstmVariantCellOptions, 'variant'>): Cell<LstmVariantState> {
  return buildVariantCell('cifgLstmCell', 'CIFG', options);
}
