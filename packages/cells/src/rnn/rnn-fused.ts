/**
 * The vanilla (Elman) RNN's fused path, `h_t = φ(x_t K + h_{t−1} R + b)` with φ = tanh or relu (the
 * equation of rnn-step.ts), on the kernels of @rxrnn/kernels: input projections of all steps as one
 * GEMM, the recurrence in one call, a hand-written backward; wrapped in `tf.customGrad`. Without
 * kernels the sequence is the cell's own step ({@link rnnStep}) unrolled: one formula.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, getActivation, type Cell, type StepResult } from '@rxrnn/core';
import { checkTensor, runtimeOf, tapeOn, floatValues, tensorAt, Reserve, forwardOn, type KernelRuntime } from '@rxrnn/kernels';
import { rnnStep, rnnPre, type RnnParams, type RnnState } from './rnn-step.js';
import { unrolledSequence, fusedStepper, residentsOf, type CoreResidents, type FusedFamily, type HiddenSequenceResult, type SequenceKernelsOption } from '../fused/fused-family.js';

export interface RnnSequenceParams {
  kernel: tf.Tensor; // [X, H]
  recurrentKernel: tf.Tensor; // [H, H]
  bias: tf.Tensor; // [H]
}

/** The activations the fused RNN supports. */
export type FusedRnnActivation = 'tanh' | 'relu';

export interface RnnSequenceOptions extends SequenceKernelsOption {
  /** φ. Default `'tanh'`. */
  activation?: FusedRnnActivation;
}

export type RnnSequenceResult = HiddenSequenceResult;

export type RnnResidents = CoreResidents;

interface Dims {
  T: number;
  B: number;
  X: number;
  H: number;
  act: number;
}

/**
 * The forward pass in kernel memory: [h0, h_1..h_T]. `keep` leaves x and hs there for the backward
 * (a {@link Reserve}).
 */
function forwardWasm(rt: KernelRuntime, d: Dims, x: tf.Tensor, h0: tf.Tensor | null, w: number[], keep = false, o: { ysShape?: number[]; hT?: boolean } = {}): { ys: tf.Tensor; hT?: tf.Tensor2D; saved?: Reserve } {
  const { T, B, X, H } = d;
  const BH = B * H;
  const counts = [T * B * X, (T + 1) * BH];
  const run = ([px, phs]: readonly number[]) => {
    rt.write(px, floatValues(x));
    if (h0) rt.write(phs, floatValues(h0));
    else rt.zero(phs, BH);
    rt.k.rnnForward(T, B, X, H, px, w[0], w[1], w[2], d.act, phs, w[3] ?? 0, w[4] ?? 0);
    return {
      ys: tensorAt(rt, phs + BH * 4, o.ysShape ?? [T, B, H]), // h_1 … h_T
      hT: o.hT ? tensorAt<tf.Rank.R2>(rt, phs + T * BH * 4, [B, H]) : undefined,
    };
  };
  return forwardOn(rt, counts, keep, run);
}

/** The backward pass (releases `s`). */
function backwardWasm(rt: KernelRuntime, d: Dims, xShape: number[], s: Reserve, KT: number, RT: number, dys: tf.Tensor): tf.Tensor[] {
  const { T, B, X, H } = d;
  const BH = B * H;
  const TB = T * B;
  try {
    const [px, phs] = s.ptrs;
    return rt.scratch([TB * H, TB * H, BH, TB * X, X * H, H * H, H], ([pdys, pdpre, pdh, pdx, pdK, pdR, pdb]) => {
      rt.write(pdys, floatValues(dys));
      rt.k.rnnBackward(T, B, X, H, px, KT, RT, d.act, phs, pdys, pdpre, pdh, pdx, pdK, pdR, pdb);
      return [tensorAt(rt, pdx, xShape), tensorAt(rt, pdh, [B, H]), tensorAt(rt, pdK, [X, H]), tensorAt(rt, pdR, [H, H]), tensorAt(rt, pdb, [H])];
    });
  } finally {
    s.release();
  }
}

function rnnOp(rt: KernelRuntime, d: Dims, res: RnnResidents) {
  return tf.customGrad(((x: tf.Tensor, h0: tf.Tensor, K: tf.Tensor, R: tf.Tensor, b: tf.Tensor) => {
    const f = forwardWasm(rt, d, x, h0, [res.kernel.sync(K), res.recurrentKernel.sync(R), res.bias.sync(b)], true);
    return {
      value: f.ys,
      gradFunc: (dy: tf.Tensor) => backwardWasm(rt, d, x.shape, f.saved as Reserve, res.kernel.syncTransposed(K), res.recurrentKernel.syncTransposed(R), dy),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
}

function actCode(fn: string, a: unknown): number {
  if (a === undefined || a === 'tanh') return 0;
  if (a === 'relu') return 1;
  throw rxrnnError(ErrorCodes.UNKNOWN, fn, 'options.activation', "'tanh' or 'relu'", describe(a));
}

/**
 * Run a vanilla RNN over a whole sequence in one fused call, differentiably.
 *
 * `x` [T, B, X]; `h0` [B, H] (zeros when omitted); params as `rnnCell`'s. Returns `ys` [T, B, H]
 * and `hT` [B, H], owned by the caller.
 *
 * ```ts
 * const cell = rnnCell({ inputSize: 8, hiddenSize: 32 });
 * const { ys } = rnnSequence(cell.params as never, tf.randomNormal([100, 16, 8]));
 * ```
 */
export function rnnSequence(params: RnnSequenceParams, x: tf.Tensor3D, h0?: tf.Tensor2D, options: RnnSequenceOptions = {}): RnnSequenceResult {
  const fn = 'rnnSequence';
  checkTensor(fn, 'x', x, [-1, -1, -1], '[T, B, X]');
  const [T, B, X] = x.shape;
  checkTensor(fn, 'params.kernel', params?.kernel, [X, -1], `[${X}, H]`);
  const H = (params.kernel.shape as number[])[1];
  checkTensor(fn, 'params.recurrentKernel', params.recurrentKernel, [H, H], `[${H}, ${H}]`);
  checkTensor(fn, 'params.bias', params.bias, [H], `[${H}]`);
  if (h0 !== undefined) checkTensor(fn, 'h0', h0, [B, H], `[${B}, ${H}]`);
  const act = actCode(fn, options.activation);
  const rt = runtimeOf(options.kernels, fn);
  if (!rt) return rnnUnrolled(params, x, act, () => ({ h: h0 ?? tf.zeros([B, H]) }));
  const res: RnnResidents = residentsOf(rt, params, [], true); // the caller's tensors' resident copies
  const d = { T, B, X, H, act };
  if (!tapeOn()) {
    const f = forwardWasm(rt, d, x, h0 ?? null, [res.kernel.sync(params.kernel), res.recurrentKernel.sync(params.recurrentKernel), res.bias.sync(params.bias)], false, { hT: true });
    return { ys: f.ys as tf.Tensor3D, hT: f.hT as tf.Tensor2D };
  }
  return tf.tidy(() => {
    const ys = rnnOp(rt, d, res)(x, h0 ?? tf.zeros([B, H]), params.kernel, params.recurrentKernel, params.bias) as tf.Tensor3D; // [T, B, H]
    return { ys, hT: tf.reshape(tf.slice(ys, [T - 1, 0, 0], [1, B, H]), [B, H]) as tf.Tensor2D };
  });
}

/** The sequence without kernels: {@link rnnStep} (φ = tanh, or relu for act 1) unrolled from the state `init` gives. */
function rnnUnrolled(p: RnnSequenceParams, x: tf.Tensor3D, act: number, init: () => RnnState): RnnSequenceResult {
  const params: RnnParams = { kernel: p.kernel as tf.Tensor2D, recurrentKernel: p.recurrentKernel as tf.Tensor2D, bias: p.bias as tf.Tensor1D };
  const phi = getActivation(act === 1 ? 'relu' : 'tanh', 'rnnSequence', 'options.activation');
  const [ys, s] = unrolledSequence((st: RnnState, xt) => rnnStep(params, st, xt, phi), init, x);
  return { ys, hT: s.h };
}

/** One fused RNN step on resident weights: `[h, {h}]` like `rnnStep` (extras are not fused). */
function rnnFusedStep(rt: KernelRuntime, p: RnnSequenceParams, res: RnnResidents, act: number, s: RnnState, x: tf.Tensor2D): StepResult<RnnState> {
  const [B, X] = x.shape;
  const H = s.h.shape[1];
  const d = { T: 1, B, X, H, act };
  if (!tapeOn()) {
    // batched steps (B ≥ 4, the GEMM tile) read K and R packed once, not re-packed on every call
    const packed = B >= 4 ? [res.kernel.syncPacked(p.kernel), res.recurrentKernel.syncPacked(p.recurrentKernel)] : [];
    const h = forwardWasm(rt, d, x, s.h, [res.kernel.sync(p.kernel), res.recurrentKernel.sync(p.recurrentKernel), res.bias.sync(p.bias), ...packed], false, { ysShape: [B, H] }).ys as tf.Tensor2D;
    return [h, { h }];
  }
  return tf.tidy((): StepResult<RnnState> => {
    const h = tf.reshape(rnnOp(rt, d, res)(x, s.h, p.kernel, p.recurrentKernel, p.bias), [B, H]) as tf.Tensor2D;
    return [h, { h }];
  });
}

/** An rnn cell's parameters as the sequence functions take them. */
const rnnParamsOf = ({ params: p }: Cell): RnnSequenceParams => ({ kernel: p.kernel, recurrentKernel: p.recurrentKernel, bias: p.bias });

/**
 * The `rnn` family on the kernels: φ = tanh or relu. A step asked for extras still takes h from the
 * kernel (so a stream's outputs never depend on whether its batch-mates asked for extras) and adds the
 * `pre` extra beside it, from rnnStep's own formula (`rnnPre`).
 */
export const rnnFused: FusedFamily = {
  unsupported: (cell) => ((cell.config.activation ?? 'tanh') === 'tanh' || cell.config.activation === 'relu' ? null : `activation ${String(cell.config.activation)} (fused: tanh, relu)`),
  sequence: (cell, rt, state, xs) => {
    const r = rnnSequence(rnnParamsOf(cell), xs, state?.h as tf.Tensor2D | undefined, { activation: cell.config.activation === 'relu' ? 'relu' : 'tanh', kernels: rt });
    return [r.ys, { h: r.hT }];
  },
  stepper: (cell, rt) => {
    const p = rnnParamsOf(cell);
    const act = cell.config.activation === 'relu' ? 1 : 0;
    const res: RnnResidents = residentsOf(rt, p, [], false);
    const params: RnnParams = { kernel: p.kernel as tf.Tensor2D, recurrentKernel: p.recurrentKernel as tf.Tensor2D, bias: p.bias as tf.Tensor1D };
    return fusedStepper(res, (r, s, x, extras) => {
      const state = { h: s.h as tf.Tensor2D };
      const [h, next] = rnnFusedStep(rt, p, r, act, state, x);
      return extras ? [h, next, { pre: tf.tidy(() => rnnPre(params, state, x)) }] : [h, next];
    });
  },
};
