/**
 * Fused peephole LSTM and CIFG: the `lstm-variant` cells of @rxrnn/cells (Greff et al. 2017, "LSTM:
 * A Search Space Odyssey"; equations in packages/cells/src/lstm-variants/greff-lstm-step.ts) for the
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
 * Run like the plain LSTM's kernels (lstm-fused.ts): input projections of all T steps as one GEMM,
 * the recurrence in one call (`lstmvForward`), the activated gates and tanh(c_t) kept in kernel
 * memory (a `Reserve`) for a hand-written BPTT (`lstmvBackward`) that ends with dK = Xᵀ·dZ, dR = Hᵀ·dZ, dX = dZ·Kᵀ and the
 * peephole gradients dp = Σ_{t,b} dz̄ ⊙ c. Wrapped in `tf.customGrad`, so tfjs autodiff and
 * optimisers see an ordinary differentiable op. Math only: no rxjs here.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, type Cell, type State } from '@rxrnn/core';
import { kernels, type KernelExports, type KernelRuntime, type Resident } from '../wasm/runtime.js';
import { checkTensor, residentFor, tapeOn, values, tensorAt, Reserve, multiOutputOp, forwardOn, addLastStep } from '../shared.js';

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

export interface LstmVariantSequenceOptions {
  /** 'vanilla' (peephole LSTM), 'NP' (no peepholes) or 'CIFG' (f = 1 − i). */
  variant: FusedLstmVariant;
}

export interface LstmVariantSequenceResult {
  ys: tf.Tensor3D; // [T, B, H]
  hT: tf.Tensor2D; // [B, H]
  cT: tf.Tensor2D; // [B, H]
}

/** Resident weights of one peephole/CIFG LSTM (peepholes null when absent). */
export interface LstmVariantResidents {
  kernel: Resident;
  recurrentKernel: Resident;
  bias: Resident;
  peepholeI: Resident | null;
  peepholeF: Resident | null;
  peepholeO: Resident | null;
}

/** True when the runtime has the peephole/CIFG entry points (a kernels.wasm older than them has not). */
export function hasVariantKernels(rt: KernelRuntime): boolean {
  const k = rt.k as Partial<KernelExports>;
  return typeof k.lstmvForward === 'function' && typeof k.lstmvBackward === 'function';
}

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
    rt.write(px, values(x));
    if (h0) rt.write(phs, values(h0));
    else rt.zero(phs, BH);
    if (c0) rt.write(pcs, values(c0));
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
      rt.write(pdys, values(dys));
      addLastStep(rt, pdys, T, values(dhT)); // h_T is also the last row of ys: its two gradients add
      rt.write(pdcT, values(dcT));
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
 * Falls back to tfjs ops ({@link lstmVariantSequenceTfjs}), with the same results, when the kernels
 * are unavailable.
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
  const rt = kernels();
  if (!rt || !hasVariantKernels(rt)) return lstmVariantSequenceTfjs(params, x, h0, c0, { variant });
  const res = lstmVariantResidents(rt, params);
  const d: Dims = { T, B, X, H, variant };
  if (!tapeOn()) {
    const w = syncWeights(res, params.kernel, params.recurrentKernel, params.bias, params);
    const f = forwardWasm(rt, d, x, h0 ?? null, c0 ?? null, w, false, { ys: true });
    return { ys: f.ys as tf.Tensor3D, hT: f.hT, cT: f.cT };
  }
  return tf.tidy(() => runOp(rt, d, res, params, x, h0 ?? tf.zeros([B, H]), c0 ?? tf.zeros([B, H])));
}

/** Resident copies of the weight tensors passed by the caller. */
export function lstmVariantResidents(rt: KernelRuntime, p: LstmVariantSequenceParams): LstmVariantResidents {
  const opt = (t: tf.Tensor | undefined) => (t ? residentFor(rt, t) : null);
  return {
    kernel: residentFor(rt, p.kernel),
    recurrentKernel: residentFor(rt, p.recurrentKernel),
    bias: residentFor(rt, p.bias),
    peepholeI: opt(p.peepholeI),
    peepholeF: opt(p.peepholeF),
    peepholeO: opt(p.peepholeO),
  };
}

/** The same sequence with tfjs ops (the fallback; also a reference in tests). */
export function lstmVariantSequenceTfjs(params: LstmVariantSequenceParams, x: tf.Tensor3D, h0: tf.Tensor2D | undefined, c0: tf.Tensor2D | undefined, options: LstmVariantSequenceOptions): LstmVariantSequenceResult {
  const variant = checkVariant('lstmVariantSequenceTfjs', 'options.variant', options?.variant);
  const [T, B] = x.shape;
  const H = params.recurrentKernel.shape[0];
  const coupled = variant === 'CIFG';
  const peep = (z: tf.Tensor, p: tf.Tensor | undefined, c: tf.Tensor) => (p ? tf.add(z, tf.mul(c, p)) : z); // z + p ⊙ c   [B, H]
  return tf.tidy(() => {
    let h = h0 ?? (tf.zeros([B, H]) as tf.Tensor2D);
    let c = c0 ?? (tf.zeros([B, H]) as tf.Tensor2D);
    const ys: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t++) {
      const xt = tf.reshape(tf.slice(x, [t, 0, 0], [1, -1, -1]), [B, -1]) as tf.Tensor2D; // [B, X]
      const z = tf.add(tf.add(tf.matMul(xt, params.kernel as tf.Tensor2D), tf.matMul(h, params.recurrentKernel as tf.Tensor2D)), params.bias); // [B, nH]
      const parts = tf.split(z, coupled ? 3 : 4, 1); // (n) × [B, H]
      const [zi, zf, zg, zo] = coupled ? [parts[0], null, parts[1], parts[2]] : parts;
      const i = tf.sigmoid(peep(zi, params.peepholeI, c)); // i = σ(z_i + p_i ⊙ c_{t−1})
      const f = coupled ? tf.sub(1, i) : tf.sigmoid(peep(zf as tf.Tensor, params.peepholeF, c)); // f = σ(z_f + p_f ⊙ c_{t−1}) or 1 − i
      c = tf.add(tf.mul(f, c), tf.mul(i, tf.tanh(zg))) as tf.Tensor2D; // c_t = f ⊙ c_{t−1} + i ⊙ g   [B, H]
      const o = tf.sigmoid(peep(zo, params.peepholeO, c)); // o = σ(z_o + p_o ⊙ c_t)
      h = tf.mul(o, tf.tanh(c)) as tf.Tensor2D; // h_t = o ⊙ tanh(c_t)   [B, H]
      ys.push(h);
    }
    return { ys: tf.stack(ys) as tf.Tensor3D, hT: h, cT: c };
  });
}

/**
 * One fused step on resident weights: `[h, {h, c}, extras?]` like `greffLstmStep`. Differentiable
 * (the T = 1 case of the sequence op) when a tape is recording; otherwise a single kernel call.
 * Extras: `i, f, g, o` ([B, H]; CIFG's f = 1 − i) and a copy of `c`.
 */
export function lstmVariantFusedStep(rt: KernelRuntime, variant: FusedLstmVariant, p: LstmVariantSequenceParams, res: LstmVariantResidents, s: { h: tf.Tensor2D; c: tf.Tensor2D }, x: tf.Tensor2D, extras: boolean) {
  const [B, X] = x.shape;
  const H = s.c.shape[1];
  const d: Dims = { T: 1, B, X, H, variant };
  // batched steps (B ≥ 4, the GEMM tile) read K and R packed once (native), not re-packed on every call
  const packed = (): number[] => (B >= 4 ? [res.kernel.syncPacked(p.kernel), res.recurrentKernel.syncPacked(p.recurrentKernel)] : []);
  const forward = (gates: boolean) => forwardWasm(rt, d, x, s.h, s.c, [...syncWeights(res, p.kernel, p.recurrentKernel, p.bias, p), ...packed()], false, { gates });
  if (!tapeOn()) {
    const f = forward(extras);
    const { hT: h, cT: c } = f;
    return [h, { h, c }, extras ? gateExtras(f.gates as Float32Array, d, c) : undefined] as const;
  }
  return tf.tidy(() => {
    const { hT: h, cT: c } = runOp(rt, d, res, p, x, s.h, s.c);
    // Under a tape the extras come from the same kernel forward (not differentiable: inspection only).
    const ex = extras ? gateExtras(forward(true).gates as Float32Array, d, c) : undefined;
    return [h, { h, c }, ex] as const;
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

/**
 * A fused `lstm-variant` cell's whole chunk: xs [T, B, X] from `state` → [ys [T, B, H], {h, c}]
 * (the `sequence` form of the cells `fuseCell` returns).
 */
export function lstmVariantCellSequence<S extends State>(cell: Cell<S>, xs: tf.Tensor3D, state: S): [tf.Tensor3D, S] {
  const variant = checkVariant('lstmVariantCellSequence', 'cell.config.variant', (cell.config as { variant?: unknown }).variant);
  const s = state as unknown as { h?: tf.Tensor2D; c?: tf.Tensor2D };
  const r = lstmVariantSequence(cell.params as unknown as LstmVariantSequenceParams, xs, s?.h, s?.c, { variant });
  return [r.ys, { h: r.hT, c: r.cT } as unknown as S];
}
