/**
 * The LSTM's fused path (Hochreiter & Schmidhuber 1997 with the forget gate of Gers et al. 2000; the
 * equations of lstm-step.ts, gate order i, f, g, o, σ = sigmoid, tanh):
 *
 *     [i f g o] = x_t K + h_{t−1} R + b      c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g)      h_t = σ(o) ⊙ tanh(c_t)
 *
 * and, with a `projection` [H, P] (LSTMP, Sak et al. 2014; PyTorch's `proj_size`), h_t ← h_t · projection,
 * so h (and the rows of R) have size P.
 *
 * run on the kernels of @rxrnn/kernels (native or WebAssembly): the input projections of all T steps as one GEMM, the recurrence in one call,
 * the activated gates and tanh(c_t) kept for a hand-written backward (BPTT) that ends with the weight
 * gradients as three large GEMMs (dK = Xᵀ·dZ, dR = Hᵀ·dZ, dX = dZ·Kᵀ), the way cuDNN's RNN API does.
 * One tape node (`multiOutputOp`), so tfjs autodiff and optimisers see an ordinary differentiable op.
 * Without kernels (switched off, or WebAssembly without SIMD) the sequence is the cell's own step
 * ({@link lstmStep}) unrolled by core's `unrollSteps`: one formula.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, getActivation, type Cell, type StepResult } from '@rxrnn/core';
import { checkTensor, runtimeOf, tapeOn, floatValues, tensorAt, Reserve, multiOutputOp, forwardOn, addLastStep, type KernelRuntime, type Resident } from '@rxrnn/kernels';
import { lstmStep, type LstmParams, type LstmState } from './lstm-step.js';
import { unrolledSequence, gatesSupported, fusedStepper, residentsOf, type CoreResidents, type FusedFamily, type HiddenSequenceResult, type SequenceKernelsOption } from '../fused/fused-family.js';

export interface LstmSequenceParams {
  kernel: tf.Tensor; // [X, 4H]
  recurrentKernel: tf.Tensor; // [H, 4H]
  bias: tf.Tensor; // [4H]
  projection?: tf.Tensor; // [H, P]
}

export type LstmSequenceOptions = SequenceKernelsOption;

/** ys [T, B, R] and hT [B, R] (R = P with a projection, else H), cT [B, H]. */
export interface LstmSequenceResult extends HiddenSequenceResult {
  cT: tf.Tensor2D; // [B, H]
}

/** Resident weights of one LSTM. */
export interface LstmResidents extends CoreResidents {
  projection: Resident | null;
}

interface Dims {
  T: number;
  B: number;
  X: number;
  H: number;
  /** Projection size, 0 without a projection. */
  P: number;
}

interface Forward {
  /** Every h_t [T, B, R] (when asked for). */
  ys?: tf.Tensor3D;
  hT: tf.Tensor2D; // [B, R]
  cT: tf.Tensor2D; // [B, H]
  gates?: Float32Array; // [T·B·4H] activated
  /** With `keep`: x, hs, cs, gates, tanh(c), h before projection, left in kernel memory. */
  saved?: Reserve;
}

/**
 * The forward pass in kernel memory. `keep` leaves what the backward needs there (a {@link Reserve}:
 * x, hs [T+1, B, R], cs [T+1, B, H], gates [T, B, 4H], tanh(c) [T, B, H], h before projection).
 * w: K, R, b, Pm (0: none)[, Kp, Rp packed]. Inputs are read and outputs made straight from and to
 * tfjs's memory (no JavaScript copies).
 */
function forwardWasm(rt: KernelRuntime, d: Dims, x: tf.Tensor, h0: tf.Tensor | null, c0: tf.Tensor | null, w: number[], keep: boolean, o: { ys?: boolean; gates?: boolean } = {}): Forward {
  const { T, B, X, H, P } = d;
  const R = P || H;
  const BH = B * H;
  const BR = B * R;
  const G = 4 * H;
  const counts = [T * B * X, (T + 1) * BR, (T + 1) * BH, T * B * G, keep ? T * BH : 0, P ? T * BH : 0];
  const run = ([px, phs, pcs, pg, ptc, phf]: readonly number[]): Forward => {
    rt.write(px, floatValues(x));
    if (h0) rt.write(phs, floatValues(h0));
    else rt.zero(phs, BR);
    if (c0) rt.write(pcs, floatValues(c0));
    else rt.zero(pcs, BH);
    rt.k.lstmForward(T, B, X, H, P, px, w[0], w[1], w[2], P ? w[3] : 0, phs, pcs, pg, keep ? ptc : 0, phf, w[4] ?? 0, w[5] ?? 0);
    return {
      ys: o.ys ? tensorAt<tf.Rank.R3>(rt, phs + 4 * BR, [T, B, R]) : undefined, // h_1 … h_T
      hT: tensorAt<tf.Rank.R2>(rt, phs + 4 * T * BR, [B, R]),
      cT: tensorAt<tf.Rank.R2>(rt, pcs + 4 * T * BH, [B, H]),
      gates: o.gates ? rt.read(pg, T * B * G) : undefined,
    };
  };
  return forwardOn(rt, counts, keep, run);
}

/** The backward pass: gradients of x, h0, c0, kernel, recurrentKernel, bias (and projection) as new tensors. Releases `s`. */
function backwardWasm(rt: KernelRuntime, d: Dims, xShape: number[], s: Reserve, KT: number, RT: number, PmT: number, dys: tf.Tensor, dcT: tf.Tensor, dhT: tf.Tensor): tf.Tensor[] {
  const { T, B, X, H, P } = d;
  const R = P || H;
  const BH = B * H;
  const BR = B * R;
  const G = 4 * H;
  const TB = T * B;
  try {
    const [px, phs, pcs, pg, ptc, phf] = s.ptrs;
    return rt.scratch(
      [TB * R, BH, TB * G, BR, BH, BH, P ? TB * P : 0, TB * X, X * G, R * G, G, P ? H * P : 0],
      ([pdys, pdcT, pdz, pdh, pdc, pdhf, pdhs, pdx, pdK, pdR, pdb, pdP]) => {
        rt.write(pdys, floatValues(dys));
        addLastStep(rt, pdys, T, floatValues(dhT)); // h_T is also the last row of ys: its two gradients add
        rt.write(pdcT, floatValues(dcT));
        rt.k.lstmBackward(T, B, X, H, P, px, KT, RT, P ? PmT : 0, phs, pcs, pg, ptc, phf, pdys, pdcT, pdz, pdh, pdc, pdhf, pdhs, pdx, pdK, pdR, pdb, pdP);
        const out = [tensorAt(rt, pdx, xShape), tensorAt(rt, pdh, [B, R]), tensorAt(rt, pdc, [B, H]), tensorAt(rt, pdK, [X, G]), tensorAt(rt, pdR, [R, G]), tensorAt(rt, pdb, [G])];
        if (P) out.push(tensorAt(rt, pdP, [H, P]));
        return out;
      },
    );
  } finally {
    s.release();
  }
}

function syncWeights(res: LstmResidents, K: tf.Tensor, R: tf.Tensor, b: tf.Tensor, Pm?: tf.Tensor): number[] {
  return [res.kernel.sync(K), res.recurrentKernel.sync(R), res.bias.sync(b), Pm && res.projection ? res.projection.sync(Pm) : 0];
}

/**
 * The differentiable op: (x [T, B, X], h0 [B, R], c0 [B, H], K, R, b[, Pm]) → ys [T, B, R], hT [B, R],
 * cT [B, H], one tape node whose backward is one kernel call.
 */
function runOp(rt: KernelRuntime, d: Dims, res: LstmResidents, p: LstmSequenceParams, x: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor) {
  const { P } = d;
  const inputs = [x, h0, c0, p.kernel, p.recurrentKernel, p.bias];
  if (P) inputs.push(p.projection as tf.Tensor);
  const [ys, hT, cT] = multiOutputOp(inputs, () => {
    const f = forwardWasm(rt, d, x, h0, c0, syncWeights(res, p.kernel, p.recurrentKernel, p.bias, p.projection), true, { ys: true });
    return {
      outputs: [f.ys as tf.Tensor3D, f.hT, f.cT],
      backward: ([dys, dhT, dcT]) =>
        backwardWasm(rt, d, x.shape, f.saved as Reserve, res.kernel.syncTransposed(p.kernel), res.recurrentKernel.syncTransposed(p.recurrentKernel), P && res.projection && p.projection ? res.projection.syncTransposed(p.projection) : 0, dys, dcT, dhT),
    };
  });
  return { ys: ys as tf.Tensor3D, hT: hT as tf.Tensor2D, cT: cT as tf.Tensor2D };
}

function checkParams(fn: string, p: LstmSequenceParams, X: number): { H: number; P: number } {
  checkTensor(fn, 'params.kernel', p?.kernel, [X, -1], `[${X}, 4H]`);
  const H = (p.kernel.shape as number[])[1] / 4;
  if (!Number.isInteger(H) || H < 1) throw rxrnnError(ErrorCodes.SHAPE, fn, 'params.kernel', 'shape [X, 4H]', `shape [${p.kernel.shape.join(', ')}]`);
  checkTensor(fn, 'params.bias', p.bias, [4 * H], `[${4 * H}]`);
  if (p.projection === undefined) {
    checkTensor(fn, 'params.recurrentKernel', p.recurrentKernel, [H, 4 * H], `[${H}, ${4 * H}] (no projection given)`);
    return { H, P: 0 };
  }
  checkTensor(fn, 'params.projection', p.projection, [H, -1], `[${H}, P]`);
  const P = (p.projection.shape as number[])[1];
  checkTensor(fn, 'params.recurrentKernel', p.recurrentKernel, [P, 4 * H], `[${P}, ${4 * H}] (with the projection)`);
  return { H, P };
}

/**
 * Run an LSTM over a whole sequence in one fused call, differentiably.
 *
 * `x` [T, B, X]; `h0` [B, R], `c0` [B, H] (zeros when omitted; R = P with a `projection` [H, P],
 * else H); params with the names and layout of `lstmCell` (so `lstmSequence(cell.params, x)` works,
 * with or without `projSize`). Returns new tensors owned by the caller: `ys` [T, B, R] (every h_t),
 * `hT` [B, R], `cT` [B, H]. Under `tf.variableGrads` / `optimizer.minimize` the
 * backward runs on the kernels too. Without kernels (`options.kernels` `{ enabled: false }`,
 * `RXRNN_KERNELS=off`, no SIMD) it unrolls {@link lstmStep}, with the same results.
 *
 * ```ts
 * const cell = lstmCell({ inputSize: 8, hiddenSize: 32 });
 * const { ys, hT, cT } = lstmSequence(cell.params as never, tf.randomNormal([100, 16, 8]));
 * ```
 */
export function lstmSequence(params: LstmSequenceParams, x: tf.Tensor3D, h0?: tf.Tensor2D, c0?: tf.Tensor2D, options: LstmSequenceOptions = {}): LstmSequenceResult {
  const fn = 'lstmSequence';
  checkTensor(fn, 'x', x, [-1, -1, -1], '[T, B, X]');
  const [T, B, X] = x.shape;
  const { H, P } = checkParams(fn, params, X);
  const R = P || H;
  if (h0 !== undefined) checkTensor(fn, 'h0', h0, [B, R], `[${B}, ${R}]`);
  if (c0 !== undefined) checkTensor(fn, 'c0', c0, [B, H], `[${B}, ${H}]`);
  const rt = runtimeOf(options.kernels, fn);
  if (!rt) return lstmUnrolled(params, x, () => ({ h: h0 ?? tf.zeros([B, R]), c: c0 ?? tf.zeros([B, H]) }));
  const res: LstmResidents = residentsOf(rt, params, ['projection'], true); // the caller's tensors' resident copies
  const d = { T, B, X, H, P };
  if (!tapeOn()) {
    const w = syncWeights(res, params.kernel, params.recurrentKernel, params.bias, params.projection);
    const f = forwardWasm(rt, d, x, h0 ?? null, c0 ?? null, w, false, { ys: true });
    return { ys: f.ys as tf.Tensor3D, hT: f.hT, cT: f.cT };
  }
  return tf.tidy(() => runOp(rt, d, res, params, x, h0 ?? tf.zeros([B, R]), c0 ?? tf.zeros([B, H])));
}

/** The sequence without kernels: {@link lstmStep} (tanh, sigmoid) unrolled from the state `init` gives. */
function lstmUnrolled(p: LstmSequenceParams, x: tf.Tensor3D, init: () => LstmState): LstmSequenceResult {
  const params: LstmParams = { kernel: p.kernel as tf.Tensor2D, recurrentKernel: p.recurrentKernel as tf.Tensor2D, bias: p.bias as tf.Tensor1D, projection: p.projection as tf.Tensor2D | undefined };
  const tanh = getActivation('tanh', 'lstmSequence', 'activation');
  const sigmoid = getActivation('sigmoid', 'lstmSequence', 'recurrentActivation');
  const [ys, s] = unrolledSequence((st: LstmState, xt) => lstmStep(params, st, xt, tanh, sigmoid), init, x);
  return { ys, hT: s.h, cT: s.c };
}

/**
 * One fused LSTM step on resident weights: `[h, {h, c}, extras?]` like `lstmStep`. Differentiable
 * (the T = 1 case of the sequence op) when a tape is recording; otherwise a single WASM call.
 */
function lstmFusedStep(rt: KernelRuntime, p: LstmSequenceParams, res: LstmResidents, s: LstmState, x: tf.Tensor2D, extras: boolean): StepResult<LstmState> {
  const [B, X] = x.shape;
  const H = s.c.shape[1];
  const P = p.projection ? s.h.shape[1] : 0;
  const d = { T: 1, B, X, H, P };
  // batched steps (B ≥ 4, the GEMM tile) read K and R packed once, not re-packed on every call
  const packed = (): number[] => (B >= 4 ? [res.kernel.syncPacked(p.kernel), res.recurrentKernel.syncPacked(p.recurrentKernel)] : []);
  const forward = (gates: boolean) => forwardWasm(rt, d, x, s.h, s.c, [...syncWeights(res, p.kernel, p.recurrentKernel, p.bias, p.projection), ...packed()], false, { gates });
  if (!tapeOn()) {
    const f = forward(extras);
    const { hT: h, cT: c } = f;
    return [h, { h, c }, extras ? gateExtras(f.gates as Float32Array, B, H, c) : undefined];
  }
  return tf.tidy((): StepResult<LstmState> => {
    const { hT: h, cT: c } = runOp(rt, d, res, p, x, s.h, s.c);
    // Under a tape the extras come from the same kernel forward (not differentiable: inspection only).
    const ex = extras ? gateExtras(forward(true).gates as Float32Array, B, H, c) : undefined;
    return [h, { h, c }, ex];
  });
}

function gateExtras(gates: Float32Array, B: number, H: number, c: tf.Tensor2D): Record<string, tf.Tensor> {
  const z = tf.tensor2d(gates, [B, 4 * H]);
  const [i, f, g, o] = tf.split(z, 4, 1);
  z.dispose();
  return { i, f, g, o, c };
}

/** An lstm cell's parameters as the sequence functions take them. */
const lstmParamsOf = ({ params: p }: Cell): LstmSequenceParams => ({ kernel: p.kernel, recurrentKernel: p.recurrentKernel, bias: p.bias, projection: p.projection });

/** The `lstm` family on the kernels: tanh / sigmoid, with or without a projection. */
export const lstmFused: FusedFamily = {
  unsupported: (cell) => gatesSupported(cell.config),
  sequence: (cell, rt, state, xs) => {
    const r = lstmSequence(lstmParamsOf(cell), xs, state?.h as tf.Tensor2D | undefined, state?.c as tf.Tensor2D | undefined, { kernels: rt });
    return [r.ys, { h: r.hT, c: r.cT }];
  },
  stepper: (cell, rt) => {
    const p = lstmParamsOf(cell);
    const res: LstmResidents = residentsOf(rt, p, ['projection'], false);
    return fusedStepper(res, (r, s, x, extras) => lstmFusedStep(rt, p, r, { h: s.h as tf.Tensor2D, c: s.c as tf.Tensor2D }, x, extras));
  },
};
