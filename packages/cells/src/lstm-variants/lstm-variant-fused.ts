/**
 * The fused path of the peephole LSTM and CIFG: the `lstm-variant` cells (Greff et al. 2017, "LSTM:
 * A Search Space Odyssey"; equations in greff-lstm-step.ts) for the
 * variants 'vanilla' (peepholes p_i, p_f on c_{t−1}, p_o on c_t; Gers & Schmidhuber 2000), 'NP' (no
 * peepholes) and 'CIFG' (f = 1 − i, with peepholes p_i, p_o; blocks i, g, o):
 *
 *     [z_i (z_f) z_g z_o] = x_t K + h_{t−1} R + b
 *     i = σ(z_i + p_i ⊙ c_{t−1})     f = σ(z_f + p_f ⊙ c_{t−1})  (CIFG: f = 1 − i)     g = tanh(z_g)
 *     c_t = f ⊙ c_{t−1} + i ⊙ g      o = σ(z_o + p_o ⊙ c_t)      h_t = o ⊙ tanh(c_t)
 *
 * Shape contract: x [T, B, X]; h0, c0 [B, H]; kernel [X, nH], recurrentKernel [H, nH], bias [nH]
 * (n = 4 blocks i, f, g, o; n = 3 blocks i, g, o for CIFG); peepholeI, peepholeF, peepholeO [H]
 * (none for NP; no peepholeF for CIFG) → ys [T, B, H], hT, cT [B, H].
 *
 * Run like the plain LSTM's kernels (../lstm/lstm-fused.ts): input projections of all T steps as one GEMM,
 * the recurrence in one call (`lstmvForward`), the activated gates and tanh(c_t) kept in kernel
 * memory (a `Reserve`) for a hand-written BPTT (`lstmvBackward`) that ends with dK = Xᵀ·dZ, dR = Hᵀ·dZ, dX = dZ·Kᵀ and the
 * peephole gradients dp = Σ_{t,b} dz̄ ⊙ c. Wrapped in `tf.customGrad`, so tfjs autodiff and
 * optimisers see an ordinary differentiable op. Without kernels the sequence is the cell's own step
 * ({@link greffLstmStep}) unrolled: one formula. Math only: no rxjs here.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, type Cell, type StepResult } from '@rxrnn/core';
import { checkTensor, runtimeOf, tapeOn, floatValues, tensorAt, Reserve, multiOutputOp, forwardOn, addLastStep, type KernelExports, type KernelRuntime, type Resident } from '@rxrnn/kernels';
import { greffLstmStep, lstmVariantSpec, type LstmVariantParams, type LstmVariantState } from './greff-lstm-step.js';
import { unrolledSequence, fusedStepper, residentsOf, type CoreResidents, type FusedFamily, type SequenceKernelsOption } from '../fused/fused-family.js';
import type { LstmSequenceResult } from '../lstm/lstm-fused.js';

/** The lstm-variant variants the kernels cover. */
export const FUSED_LSTM_VARIANTS = ['vanilla', 'NP', 'CIFG'] as const;
export type FusedLstmVariant = (typeof FUSED_LSTM_VARIANTS)[number];

export interface LstmVariantSequenceParams {
  kernel: tf.Tensor; // [X, nH]
  recurrentKernel: tf.Tensor; // [H, nH]
  bias: tf.Tensor; // [nH]
  peepholeI?: tf.Tensor; // [H] p_i (vanilla, CIFG)
  peepholeF?: tf.Tensor; // [H] p_f (vanilla)
  peepholeO?: tf.Tensor; // [H] p_o (vanilla, CIFG)
}

export interface LstmVariantSequenceOptions extends SequenceKernelsOption {
  /** 'vanilla' (peephole LSTM), 'NP' (no peepholes) or 'CIFG' (f = 1 − i). */
  variant: FusedLstmVariant;
}

/** ys [T, B, H], hT, cT [B, H] (the plain LSTM's result, without a projection). */
export type LstmVariantSequenceResult = LstmSequenceResult;

/** Resident weights of one peephole/CIFG LSTM (peepholes null when absent). */
export interface LstmVariantResidents extends CoreResidents {
  peepholeI: Resident | null;
  peepholeF: Resident | null;
  peepholeO: Resident | null;
}

/** True when the runtime has the peephole/CIFG entry points (a kernels.wasm older than them has not). */
function hasVariantKernels(rt: KernelRuntime): boolean {
  const k = rt.k as Partial<KernelExports>;
  return typeof k.lstmvForward === 'function' && typeof k.lstmvBackward === 'function';
}

const PEEPHOLE_NAMES = ['peepholeI', 'peepholeF', 'peepholeO'] as const;

/** The peephole names a variant has, in the op's input order. */
const PEEPHOLES: Record<FusedLstmVariant, readonly ('peepholeI' | 'peepholeF' | 'peepholeO')[]> = {
  vanilla: ['peepholeI', 'peepholeF', 'peepholeO'],
  NP: [],
  CIFG: ['peepholeI', 'peepholeO'],
};

interface Dims {
  T: number;
  B: number;
  X: number;
  H: number;
  variant: FusedLstmVariant;
}
const coupledOf = (d: Dims): number => (d.variant === 'CIFG' ? 1 : 0);
const blocksOf = (d: Dims): number => (d.variant === 'CIFG' ? 3 : 4);

interface Forward {
  /** Every h_t [T, B, H] (when asked for). */
  ys?: tf.Tensor3D;
  hT: tf.Tensor2D; // [B, H]
  cT: tf.Tensor2D; // [B, H]
  gates?: Float32Array; // [T·B·nH] activated
  /** With `keep`: x, hs, cs, gates, tanh(c), left in kernel memory for the backward. */
  saved?: Reserve;
}

/**
 * The forward pass in kernel memory. w: K, R, b, p_i, p_f, p_o (0: absent)[, Kp, Rp packed].
 * `keep` leaves what the backward needs there (a {@link Reserve}: x [T, B, X], hs [T+1, B, H],
 * cs [T+1, B, H], gates [T, B, nH], tanh(c) [T, B, H]).
 */
function forwardWasm(rt: KernelRuntime, d: Dims, x: tf.Tensor, h0: tf.Tensor | null, c0: tf.Tensor | null, w: number[], keep: boolean, o: { ys?: boolean; gates?: boolean } = {}): Forward {
  const { T, B, X, H } = d;
  const BH = B * H;
  const G = blocksOf(d) * H;
  const counts = [T * B * X, (T + 1) * BH, (T + 1) * BH, T * B * G, keep ? T * BH : 0];
  const run = ([px, phs, pcs, pg, ptc]: readonly number[]): Forward => {
    rt.write(px, floatValues(x));
    if (h0) rt.write(phs, floatValues(h0));
    else rt.zero(phs, BH);
    if (c0) rt.write(pcs, floatValues(c0));
    else rt.zero(pcs, BH);
    rt.k.lstmvForward(T, B, X, H, coupledOf(d), px, w[0], w[1], w[2], w[3], w[4], w[5], phs, pcs, pg, keep ? ptc : 0, w[6] ?? 0, w[7] ?? 0);
    return {
      ys: o.ys ? tensorAt<tf.Rank.R3>(rt, phs + BH * 4, [T, B, H]) : undefined, // h_1 … h_T
      hT: tensorAt<tf.Rank.R2>(rt, phs + T * BH * 4, [B, H]),
      cT: tensorAt<tf.Rank.R2>(rt, pcs + T * BH * 4, [B, H]),
      gates: o.gates ? rt.read(pg, T * B * G) : undefined,
    };
  };
  return forwardOn(rt, counts, keep, run);
}

/**
 * The backward pass (BPTT): gradients of x, h0, c0, kernel, recurrentKernel, bias and the peepholes
 * the variant has. KT [nH, X], RT [nH, H] transposed; p: addresses of p_i, p_f, p_o (0: absent).
 * Releases `s`.
 */
function backwardWasm(rt: KernelRuntime, d: Dims, xShape: number[], s: Reserve, KT: number, RT: number, p: number[], dys: tf.Tensor, dcT: tf.Tensor, dhT: tf.Tensor): tf.Tensor[] {
  const { T, B, X, H } = d;
  const BH = B * H;
  const G = blocksOf(d) * H;
  const TB = T * B;
  try {
    const [px, phs, pcs, pg, ptc] = s.ptrs;
    return rt.scratch([TB * H, BH, TB * G, BH, BH, TB * X, X * G, H * G, G, H, H, H], ([pdys, pdcT, pdz, pdh, pdc, pdx, pdK, pdR, pdb, pdpi, pdpf, pdpo]) => {
      rt.write(pdys, floatValues(dys));
      addLastStep(rt, pdys, T, floatValues(dhT)); // h_T is also the last row of ys: its two gradients add
      rt.write(pdcT, floatValues(dcT));
      rt.k.lstmvBackward(T, B, X, H, coupledOf(d), px, KT, RT, p[0], p[1], p[2], phs, pcs, pg, ptc, pdys, pdcT, pdz, pdh, pdc, pdx, pdK, pdR, pdb, pdpi, pdpf, pdpo);
      const out = [tensorAt(rt, pdx, xShape), tensorAt(rt, pdh, [B, H]), tensorAt(rt, pdc, [B, H]), tensorAt(rt, pdK, [X, G]), tensorAt(rt, pdR, [H, G]), tensorAt(rt, pdb, [G])];
      // peephole gradients in the op's input order (I, F, O as the variant has them)
      for (const name of PEEPHOLES[d.variant]) out.push(tensorAt(rt, name === 'peepholeI' ? pdpi : name === 'peepholeF' ? pdpf : pdpo, [H]));
      return out;
    });
  } finally {
    s.release();
  }
}

/** Upload (when changed) and return the addresses: K, R, b, p_i, p_f, p_o (0 when absent). */
function syncWeights(res: LstmVariantResidents, K: tf.Tensor, R: tf.Tensor, b: tf.Tensor, peep: Partial<Record<'peepholeI' | 'peepholeF' | 'peepholeO', tf.Tensor>>): number[] {
  const at = (r: Resident | null, t: tf.Tensor | undefined) => (r && t ? r.sync(t) : 0);
  return [res.kernel.sync(K), res.recurrentKernel.sync(R), res.bias.sync(b), at(res.peepholeI, peep.peepholeI), at(res.peepholeF, peep.peepholeF), at(res.peepholeO, peep.peepholeO)];
}

/**
 * The differentiable op: (x [T, B, X], h0, c0, K, R, b, ...peepholes) → ys [T, B, H], hT [B, H],
 * cT [B, H], one tape node whose backward is one kernel call.
 */
function runOp(rt: KernelRuntime, d: Dims, res: LstmVariantResidents, p: LstmVariantSequenceParams, x: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor) {
  const names = PEEPHOLES[d.variant];
  const peep = Object.fromEntries(names.map((n) => [n, p[n] as tf.Tensor])) as Record<string, tf.Tensor>;
  const inputs = [x, h0, c0, p.kernel, p.recurrentKernel, p.bias, ...names.map((n) => peep[n])];
  const [ys, hT, cT] = multiOutputOp(inputs, () => {
    const f = forwardWasm(rt, d, x, h0, c0, syncWeights(res, p.kernel, p.recurrentKernel, p.bias, peep), true, { ys: true });
    return {
      outputs: [f.ys as tf.Tensor3D, f.hT, f.cT],
      backward: ([dys, dhT, dcT]) => {
        const w = syncWeights(res, p.kernel, p.recurrentKernel, p.bias, peep);
        return backwardWasm(rt, d, x.shape, f.saved as Reserve, res.kernel.syncTransposed(p.kernel), res.recurrentKernel.syncTransposed(p.recurrentKernel), w.slice(3), dys, dcT, dhT);
      },
    };
  });
  return { ys: ys as tf.Tensor3D, hT: hT as tf.Tensor2D, cT: cT as tf.Tensor2D };
}

function checkVariant(fn: string, arg: string, v: unknown): FusedLstmVariant {
  if (typeof v === 'string' && (FUSED_LSTM_VARIANTS as readonly string[]).includes(v)) return v as FusedLstmVariant;
  throw rxrnnError(ErrorCodes.UNKNOWN, fn, arg, `one of ${FUSED_LSTM_VARIANTS.map((n) => `'${n}'`).join(', ')} (the variants the fused kernels cover)`, describe(v));
}

/** Check the parameters of `variant` against x's X; returns H. */
function checkParams(fn: string, p: LstmVariantSequenceParams, X: number, variant: FusedLstmVariant): number {
  const n = variant === 'CIFG' ? 3 : 4;
  const blocks = variant === 'CIFG' ? 'i, g, o' : 'i, f, g, o';
  checkTensor(fn, 'params.kernel', p?.kernel, [X, -1], `[${X}, ${n}H] (blocks ${blocks})`);
  const H = (p.kernel.shape as number[])[1] / n;
  if (!Number.isInteger(H) || H < 1) throw rxrnnError(ErrorCodes.SHAPE, fn, 'params.kernel', `shape [${X}, ${n}H] (blocks ${blocks})`, `shape [${p.kernel.shape.join(', ')}]`);
  checkTensor(fn, 'params.recurrentKernel', p.recurrentKernel, [H, n * H], `[${H}, ${n * H}]`);
  checkTensor(fn, 'params.bias', p.bias, [n * H], `[${n * H}]`);
  const has = PEEPHOLES[variant];
  for (const name of ['peepholeI', 'peepholeF', 'peepholeO'] as const) {
    if (has.includes(name)) checkTensor(fn, `params.${name}`, p[name], [H], `[${H}]`);
    else if (p[name] !== undefined) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `params.${name}`, `no ${name} for the '${variant}' variant (${variant === 'NP' ? 'no peepholes' : 'f = 1 − i has no peephole'})`, describe(p[name]));
  }
  return H;
}

/**
 * Run a peephole LSTM ('vanilla'), 'NP' or 'CIFG' over a whole sequence in one fused call, differentiably.
 *
 * `x` [T, B, X]; `h0`, `c0` [B, H] (zeros when omitted); params with the names and layout of
 * `lstmVariantCell` (so `lstmVariantSequence(cell.params, x, h0, c0, { variant })` works on any such
 * cell). Returns new tensors owned by the caller: `ys` [T, B, H] (every h_t), `hT`, `cT` [B, H].
 * Under `tf.grad` / `tf.variableGrads` / `optimizer.minimize` the backward runs in the kernels too.
 * Without kernels (`options.kernels` `{ enabled: false }`, `RXRNN_KERNELS=off`, no SIMD, a binary
 * older than these kernels) it unrolls {@link greffLstmStep}, with the same results.
 *
 * ```ts
 * const cell = peepholeLstmCell({ inputSize: 8, hiddenSize: 32 });
 * const { ys, hT, cT } = lstmVariantSequence(cell.params as never, tf.randomNormal([100, 16, 8]), undefined, undefined, { variant: 'vanilla' });
 * ```
 */
export function lstmVariantSequence(params: LstmVariantSequenceParams, x: tf.Tensor3D, h0: tf.Tensor2D | undefined, c0: tf.Tensor2D | undefined, options: LstmVariantSequenceOptions): LstmVariantSequenceResult {
  const fn = 'lstmVariantSequence';
  const variant = checkVariant(fn, 'options.variant', options?.variant);
  checkTensor(fn, 'x', x, [-1, -1, -1], '[T, B, X]');
  const [T, B, X] = x.shape;
  const H = checkParams(fn, params, X, variant);
  if (h0 !== undefined) checkTensor(fn, 'h0', h0, [B, H], `[${B}, ${H}]`);
  if (c0 !== undefined) checkTensor(fn, 'c0', c0, [B, H], `[${B}, ${H}]`);
  const rt = runtimeOf(options.kernels, fn);
  if (!rt || !hasVariantKernels(rt)) return lstmVariantUnrolled(params, x, variant, () => ({ h: h0 ?? tf.zeros([B, H]), c: c0 ?? tf.zeros([B, H]) }));
  const res: LstmVariantResidents = residentsOf(rt, params, PEEPHOLE_NAMES, true); // the caller's tensors' resident copies
  const d: Dims = { T, B, X, H, variant };
  if (!tapeOn()) {
    const w = syncWeights(res, params.kernel, params.recurrentKernel, params.bias, params);
    const f = forwardWasm(rt, d, x, h0 ?? null, c0 ?? null, w, false, { ys: true });
    return { ys: f.ys as tf.Tensor3D, hT: f.hT, cT: f.cT };
  }
  return tf.tidy(() => runOp(rt, d, res, params, x, h0 ?? tf.zeros([B, H]), c0 ?? tf.zeros([B, H])));
}

/** The sequence without kernels: {@link greffLstmStep} of `variant` unrolled from the state `init` gives. */
function lstmVariantUnrolled(p: LstmVariantSequenceParams, x: tf.Tensor3D, variant: FusedLstmVariant, init: () => LstmVariantState): LstmVariantSequenceResult {
  const spec = lstmVariantSpec(variant, 'lstmVariantSequence', 'options.variant');
  const params: LstmVariantParams = {
    kernel: p.kernel as tf.Tensor2D,
    recurrentKernel: p.recurrentKernel as tf.Tensor2D,
    bias: p.bias as tf.Tensor1D,
    peepholeI: p.peepholeI as tf.Tensor1D | undefined,
    peepholeF: p.peepholeF as tf.Tensor1D | undefined,
    peepholeO: p.peepholeO as tf.Tensor1D | undefined,
  };
  const [ys, s] = unrolledSequence((st: LstmVariantState, xt) => greffLstmStep(params, st, xt, spec), init, x);
  return { ys, hT: s.h, cT: s.c };
}

/**
 * One fused step on resident weights: `[h, {h, c}, extras?]` like `greffLstmStep`. Differentiable
 * (the T = 1 case of the sequence op) when a tape is recording; otherwise a single kernel call.
 * Extras: `i, f, g, o` ([B, H]; CIFG's f = 1 − i) and a copy of `c`.
 */
function lstmVariantFusedStep(rt: KernelRuntime, variant: FusedLstmVariant, p: LstmVariantSequenceParams, res: LstmVariantResidents, s: LstmVariantState, x: tf.Tensor2D, extras: boolean): StepResult<LstmVariantState> {
  const [B, X] = x.shape;
  const H = s.c.shape[1];
  const d: Dims = { T: 1, B, X, H, variant };
  // batched steps (B ≥ 4, the GEMM tile) read K and R packed once (native), not re-packed on every call
  const packed = (): number[] => (B >= 4 ? [res.kernel.syncPacked(p.kernel), res.recurrentKernel.syncPacked(p.recurrentKernel)] : []);
  const forward = (gates: boolean) => forwardWasm(rt, d, x, s.h, s.c, [...syncWeights(res, p.kernel, p.recurrentKernel, p.bias, p), ...packed()], false, { gates });
  if (!tapeOn()) {
    const f = forward(extras);
    const { hT: h, cT: c } = f;
    return [h, { h, c }, extras ? gateExtras(f.gates as Float32Array, d, c) : undefined];
  }
  return tf.tidy((): StepResult<LstmVariantState> => {
    const { hT: h, cT: c } = runOp(rt, d, res, p, x, s.h, s.c);
    // Under a tape the extras come from the same kernel forward (not differentiable: inspection only).
    const ex = extras ? gateExtras(forward(true).gates as Float32Array, d, c) : undefined;
    return [h, { h, c }, ex];
  });
}

function gateExtras(gates: Float32Array, d: Dims, c: tf.Tensor2D): Record<string, tf.Tensor> {
  const { B, H } = d;
  return tf.tidy(() => {
    const z = tf.tensor2d(gates, [B, blocksOf(d) * H]); // [B, nH] activated
    if (d.variant === 'CIFG') {
      const [i, g, o] = tf.split(z, 3, 1);
      return { i, f: tf.sub(1, i), g, o, c: tf.clone(c) };
    }
    const [i, f, g, o] = tf.split(z, 4, 1);
    // c is cloned (same data, own handle) so that a receiver freeing its extras cannot free the state.
    return { i, f, g, o, c: tf.clone(c) };
  });
}

/** An lstm-variant cell's parameters (those a fused variant has) as the sequence functions take them. */
const variantParamsOf = ({ params: p }: Cell): LstmVariantSequenceParams => ({ kernel: p.kernel, recurrentKernel: p.recurrentKernel, bias: p.bias, peepholeI: p.peepholeI, peepholeF: p.peepholeF, peepholeO: p.peepholeO });

/** The `lstm-variant` family on the kernels: the variants 'vanilla', 'NP' and 'CIFG'. */
export const lstmVariantFused: FusedFamily = {
  unsupported: (cell, rt) => {
    const v = cell.config.variant;
    if (!(FUSED_LSTM_VARIANTS as readonly unknown[]).includes(v)) {
      const what = UNFUSED_LSTM_VARIANTS[String(v)];
      return `lstm-variant '${String(v)}'${what ? ` (${what})` : ''} (fused lstm-variants: 'vanilla', 'NP', 'CIFG')`;
    }
    return rt && !hasVariantKernels(rt) ? 'the loaded kernels.wasm predates the peephole/CIFG LSTM kernels (lstmvForward)' : null;
  },
  sequence: (cell, rt, state, xs) => {
    const variant = checkVariant('lstmVariantSequence', 'cell.config.variant', cell.config.variant);
    const r = lstmVariantSequence(variantParamsOf(cell), xs, state?.h as tf.Tensor2D | undefined, state?.c as tf.Tensor2D | undefined, { variant, kernels: rt });
    return [r.ys, { h: r.hT, c: r.cT }];
  },
  stepper: (cell, rt) => {
    const variant = checkVariant('fuseCell', 'cell.config.variant', cell.config.variant);
    const p = variantParamsOf(cell);
    const res: LstmVariantResidents = residentsOf(rt, p, PEEPHOLE_NAMES, false);
    return fusedStepper(res, (r, s, x, extras) => lstmVariantFusedStep(rt, variant, p, r, { h: s.h as tf.Tensor2D, c: s.c as tf.Tensor2D }, x, extras));
  },
};

/** What each lstm-variant the kernels do not cover changes (Greff et al. 2017 §III-B). */
const UNFUSED_LSTM_VARIANTS: Record<string, string> = {
  NIG: 'no input gate',
  NFG: 'no forget gate',
  NOG: 'no output gate',
  NIAF: 'no input activation',
  NOAF: 'no output activation',
  FGR: 'full gate recurrence',
};
