/**
 * The GRU's fused path (Cho et al. 2014; the equations of gru-step.ts, gate order r, z, n), in both forms:
 *
 *     r = σ(x K_r + h R_r + b_r [+ b'_r])      z = σ(x K_z + h R_z + b_z [+ b'_z])
 *     reset-after (PyTorch):   n = tanh(x K_n + b_n + r ⊙ (h R_n + b'_n))
 *     reset-before (paper):    n = tanh(x K_n + b_n + (r ⊙ h) R_n)
 *     h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 *
 * on the kernels of @rxrnn/kernels: input projections of all steps as one GEMM, the recurrence in one
 * call, gates kept for the hand-written backward; wrapped in `tf.customGrad`. Without kernels the
 * sequence is the cell's own step ({@link gruStep}) unrolled: one formula.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, getActivation, type Cell, type StepResult } from '@rxrnn/core';
import { checkTensor, runtimeOf, tapeOn, floatValues, tensorAt, Reserve, forwardOn, type KernelRuntime, type Resident } from '@rxrnn/kernels';
import { gruStep, type GruParams, type GruState } from './gru-step.js';
import { unrolledSequence, gatesSupported, fusedStepper, residentsOf, type CoreResidents, type FusedFamily, type HiddenSequenceResult, type SequenceKernelsOption } from '../fused/fused-family.js';

export interface GruSequenceParams {
  kernel: tf.Tensor; // [X, 3H]
  recurrentKernel: tf.Tensor; // [H, 3H]
  bias: tf.Tensor; // [3H]
  /** b' [3H]: reset-after form only (optional there: treated as zero when absent). */
  recurrentBias?: tf.Tensor;
}

export interface GruSequenceOptions extends SequenceKernelsOption {
  /** PyTorch's form (default true) or Cho et al.'s reset-before form. */
  resetAfter?: boolean;
}

export type GruSequenceResult = HiddenSequenceResult;

export interface GruResidents extends CoreResidents {
  recurrentBias: Resident | null;
}

interface Dims {
  T: number;
  B: number;
  X: number;
  H: number;
  resetAfter: boolean;
  hasRb: boolean;
}

/**
 * The forward pass in kernel memory. `keep` leaves what the backward needs there (a {@link Reserve}:
 * x, hs [T+1, B, H], gates [T, B, 3H], aux [T, B, H]).
 */
function forwardWasm(rt: KernelRuntime, d: Dims, x: tf.Tensor, h0: tf.Tensor | null, w: number[], keep: boolean, o: { ysShape?: number[]; hT?: boolean; gates?: boolean } = {}) {
  const { T, B, X, H } = d;
  const BH = B * H;
  const G = 3 * H;
  const counts = [T * B * X, (T + 1) * BH, T * B * G, T * BH];
  const run = ([px, phs, pg, pax]: readonly number[]): { ys: tf.Tensor; hT?: tf.Tensor2D; gates?: Float32Array; saved?: Reserve } =>
    rt.scratch([B * G], ([phz]) => {
      rt.write(px, floatValues(x));
      if (h0) rt.write(phs, floatValues(h0));
      else rt.zero(phs, BH);
      rt.k.gruForward(T, B, X, H, px, w[0], w[1], w[2], d.resetAfter && d.hasRb ? w[3] : 0, d.resetAfter ? 1 : 0, phs, pg, pax, phz, w[4] ?? 0, w[5] ?? 0);
      return {
        ys: tensorAt(rt, phs + BH * 4, o.ysShape ?? [T, B, H]), // h_1 … h_T
        hT: o.hT ? tensorAt<tf.Rank.R2>(rt, phs + T * BH * 4, [B, H]) : undefined,
        gates: o.gates ? rt.read(pg, T * B * G) : undefined,
      };
    });
  return forwardOn(rt, counts, keep, run);
}

/** The backward pass (releases `s`). */
function backwardWasm(rt: KernelRuntime, d: Dims, xShape: number[], s: Reserve, KT: number, RT: number, dys: tf.Tensor): tf.Tensor[] {
  const { T, B, X, H } = d;
  const BH = B * H;
  const G = 3 * H;
  const TB = T * B;
  try {
    const [px, phs, pg, pax] = s.ptrs;
    return rt.scratch([TB * H, TB * G, TB * G, BH, BH, BH, TB * X, X * G, H * G, G, G], ([pdys, pdxz, pdhz, pdh, pdh2, pdrh, pdx, pdK, pdR, pdb, pdbr]) => {
      rt.write(pdys, floatValues(dys));
      rt.k.gruBackward(T, B, X, H, px, KT, RT, d.resetAfter ? 1 : 0, phs, pg, pax, pdys, pdxz, pdhz, pdh, pdh2, pdrh, pdx, pdK, pdR, pdb, d.resetAfter ? pdbr : 0);
      const out = [tensorAt(rt, pdx, xShape), tensorAt(rt, pdh, [B, H]), tensorAt(rt, pdK, [X, G]), tensorAt(rt, pdR, [H, G]), tensorAt(rt, pdb, [G])];
      if (d.resetAfter && d.hasRb) out.push(tensorAt(rt, pdbr, [G]));
      return out;
    });
  } finally {
    s.release();
  }
}

/** (x, h0, K, R, b[, b']) → ys [T, B, H]. */
function gruOp(rt: KernelRuntime, d: Dims, res: GruResidents) {
  return tf.customGrad(((...args: tf.Tensor[]) => {
    const [x, h0, K, R, b, rb] = args;
    const w = [res.kernel.sync(K), res.recurrentKernel.sync(R), res.bias.sync(b), d.hasRb && res.recurrentBias ? res.recurrentBias.sync(rb) : 0];
    const f = forwardWasm(rt, d, x, h0, w, true);
    return {
      value: f.ys,
      gradFunc: (dy: tf.Tensor) => backwardWasm(rt, d, x.shape, f.saved as Reserve, res.kernel.syncTransposed(K), res.recurrentKernel.syncTransposed(R), dy),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
}

function checkParams(fn: string, p: GruSequenceParams, X: number, resetAfter: boolean): number {
  checkTensor(fn, 'params.kernel', p?.kernel, [X, -1], `[${X}, 3H]`);
  const H = (p.kernel.shape as number[])[1] / 3;
  if (!Number.isInteger(H) || H < 1) throw rxrnnError(ErrorCodes.SHAPE, fn, 'params.kernel', 'shape [X, 3H]', `shape [${p.kernel.shape.join(', ')}]`);
  checkTensor(fn, 'params.recurrentKernel', p.recurrentKernel, [H, 3 * H], `[${H}, ${3 * H}]`);
  checkTensor(fn, 'params.bias', p.bias, [3 * H], `[${3 * H}]`);
  if (p.recurrentBias !== undefined) {
    if (!resetAfter) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'params.recurrentBias', 'no recurrent bias in the reset-before form', 'a recurrentBias');
    checkTensor(fn, 'params.recurrentBias', p.recurrentBias, [3 * H], `[${3 * H}]`);
  }
  return H;
}

/**
 * Run a GRU over a whole sequence in one fused call, differentiably.
 *
 * `x` [T, B, X]; `h0` [B, H] (zeros when omitted); params named and laid out as `gruCell`'s.
 * Returns `ys` [T, B, H] and `hT` [B, H], owned by the caller.
 *
 * ```ts
 * const cell = gruCell({ inputSize: 8, hiddenSize: 32 });
 * const { ys, hT } = gruSequence(cell.params as never, tf.randomNormal([100, 16, 8]));
 * ```
 */
export function gruSequence(params: GruSequenceParams, x: tf.Tensor3D, h0?: tf.Tensor2D, options: GruSequenceOptions = {}): GruSequenceResult {
  const fn = 'gruSequence';
  checkTensor(fn, 'x', x, [-1, -1, -1], '[T, B, X]');
  const [T, B, X] = x.shape;
  const resetAfter = options.resetAfter ?? true;
  const H = checkParams(fn, params, X, resetAfter);
  if (h0 !== undefined) checkTensor(fn, 'h0', h0, [B, H], `[${B}, ${H}]`);
  const rt = runtimeOf(options.kernels, fn);
  if (!rt) return gruUnrolled(params, x, resetAfter, () => ({ h: h0 ?? tf.zeros([B, H]) }));
  const res: GruResidents = residentsOf(rt, params, ['recurrentBias'], true); // the caller's tensors' resident copies
  const d: Dims = { T, B, X, H, resetAfter, hasRb: params.recurrentBias !== undefined };
  if (!tapeOn()) {
    const f = forwardWasm(rt, d, x, h0 ?? null, syncAll(res, params, d.hasRb), false, { hT: true });
    return { ys: f.ys as tf.Tensor3D, hT: f.hT as tf.Tensor2D };
  }
  return tf.tidy(() => {
    const inputs = [x, h0 ?? tf.zeros([B, H]), params.kernel, params.recurrentKernel, params.bias];
    if (d.hasRb) inputs.push(params.recurrentBias as tf.Tensor);
    const ys = gruOp(rt, d, res)(...inputs) as tf.Tensor3D; // [T, B, H]
    return { ys, hT: tf.reshape(tf.slice(ys, [T - 1, 0, 0], [1, B, H]), [B, H]) as tf.Tensor2D };
  });
}

function syncAll(res: GruResidents, p: GruSequenceParams, hasRb: boolean): number[] {
  return [res.kernel.sync(p.kernel), res.recurrentKernel.sync(p.recurrentKernel), res.bias.sync(p.bias), hasRb && res.recurrentBias && p.recurrentBias ? res.recurrentBias.sync(p.recurrentBias) : 0];
}

/** The sequence without kernels: {@link gruStep} (tanh, sigmoid) unrolled from the state `init` gives. */
function gruUnrolled(p: GruSequenceParams, x: tf.Tensor3D, resetAfter: boolean, init: () => GruState): GruSequenceResult {
  const params: GruParams = { kernel: p.kernel as tf.Tensor2D, recurrentKernel: p.recurrentKernel as tf.Tensor2D, bias: p.bias as tf.Tensor1D, recurrentBias: p.recurrentBias as tf.Tensor1D | undefined };
  const tanh = getActivation('tanh', 'gruSequence', 'activation');
  const sigmoid = getActivation('sigmoid', 'gruSequence', 'recurrentActivation');
  const [ys, s] = unrolledSequence((st: GruState, xt) => gruStep(params, st, xt, tanh, sigmoid, resetAfter), init, x);
  return { ys, hT: s.h };
}

/** One fused GRU step on resident weights: `[h, {h}, extras?]` like `gruStep`. */
function gruFusedStep(rt: KernelRuntime, p: GruSequenceParams, res: GruResidents, resetAfter: boolean, s: GruState, x: tf.Tensor2D, extras: boolean): StepResult<GruState> {
  const [B, X] = x.shape;
  const H = s.h.shape[1];
  const d: Dims = { T: 1, B, X, H, resetAfter, hasRb: resetAfter && p.recurrentBias !== undefined };
  const ex = (gates: Float32Array) => {
    const z = tf.tensor2d(gates, [B, 3 * H]);
    const [r, u, n] = tf.split(z, 3, 1);
    z.dispose();
    return { r, z: u, n };
  };
  if (!tapeOn()) {
    // batched steps (B ≥ 4, the GEMM tile) read K and R packed once, not re-packed on every call
    const packed = B >= 4 ? [res.kernel.syncPacked(p.kernel), res.recurrentKernel.syncPacked(p.recurrentKernel)] : [];
    const f = forwardWasm(rt, d, x, s.h, [...syncAll(res, p, d.hasRb), ...packed], false, { ysShape: [B, H], gates: extras });
    const h = f.ys as tf.Tensor2D;
    return [h, { h }, extras ? ex(f.gates as Float32Array) : undefined];
  }
  return tf.tidy((): StepResult<GruState> => {
    const inputs = [x, s.h, p.kernel, p.recurrentKernel, p.bias];
    if (d.hasRb) inputs.push(p.recurrentBias as tf.Tensor);
    const h = tf.reshape(gruOp(rt, d, res)(...inputs), [B, H]) as tf.Tensor2D;
    const e = extras ? ex(forwardWasm(rt, d, x, s.h, syncAll(res, p, d.hasRb), false, { gates: true }).gates as Float32Array) : undefined;
    return [h, { h }, e];
  });
}

/** A gru cell's parameters as the sequence functions take them. */
const gruParamsOf = ({ params: p }: Cell): GruSequenceParams => ({ kernel: p.kernel, recurrentKernel: p.recurrentKernel, bias: p.bias, recurrentBias: p.recurrentBias });

/** The `gru` family on the kernels: tanh / sigmoid, reset-after or reset-before. */
export const gruFused: FusedFamily = {
  unsupported: (cell) => gatesSupported(cell.config),
  sequence: (cell, rt, state, xs) => {
    const r = gruSequence(gruParamsOf(cell), xs, state?.h as tf.Tensor2D | undefined, { resetAfter: cell.config.resetAfter !== false, kernels: rt });
    return [r.ys, { h: r.hT }];
  },
  stepper: (cell, rt) => {
    const p = gruParamsOf(cell);
    const resetAfter = cell.config.resetAfter !== false;
    const res: GruResidents = residentsOf(rt, p, ['recurrentBias'], false);
    return fusedStepper(res, (r, s, x, extras) => gruFusedStep(rt, p, r, resetAfter, { h: s.h as tf.Tensor2D }, x, extras));
  },
};
