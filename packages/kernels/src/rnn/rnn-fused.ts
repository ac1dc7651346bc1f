/**
 * Fused vanilla (Elman) RNN, `h_t = φ(x_t K + h_{t−1} R + b)` with φ = tanh or relu (the
 * equation of packages/cells/src/rnn/rnn-step.ts), in WebAssembly: input projections of all steps
 * as one GEMM, the recurrence in one call, a hand-written backward; wrapped in `tf.customGrad`.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import { kernels, type KernelRuntime, type Resident } from '../wasm/runtime.js';
import { checkTensor, residentFor, tapeOn, values, tensorAt, Reserve, forwardOn } from '../shared.js';

export interface RnnSequenceParams {
  kernel: tf.Tensor; // [X, H]
  recurrentKernel: tf.Tensor; // [H, H]
  bias: tf.Tensor; // [H]
}

/** The activations the fused RNN supports. */
export type FusedRnnActivation = 'tanh' | 'relu';

export interface RnnSequenceOptions {
  /** φ. Default `'tanh'`. */
  activation?: FusedRnnActivation;
}

export interface RnnSequenceResult {
  ys: tf.Tensor3D; // [T, B, H]
  hT: tf.Tensor2D; // [B, H]
}

export interface RnnResidents {
  kernel: Resident;
  recurrentKernel: Resident;
  bias: Resident;
}

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
    rt.write(px, values(x));
    if (h0) rt.write(phs, values(h0));
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
      rt.write(pdys, values(dys));
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

export function actCode(fn: string, a: unknown): number {
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
  const rt = kernels();
  if (!rt) return rnnSequenceTfjs(params, x, h0, options);
  const res: RnnResidents = { kernel: residentFor(rt, params.kernel), recurrentKernel: residentFor(rt, params.recurrentKernel), bias: residentFor(rt, params.bias) };
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

/** The same sequence with tfjs ops (the fallback). */
export function rnnSequenceTfjs(params: RnnSequenceParams, x: tf.Tensor3D, h0?: tf.Tensor2D, options: RnnSequenceOptions = {}): RnnSequenceResult {
  const [T, B] = x.shape;
  const H = params.recurrentKernel.shape[0];
  const phi = options.activation === 'relu' ? tf.relu : tf.tanh;
  return tf.tidy(() => {
    let h = h0 ?? (tf.zeros([B, H]) as tf.Tensor2D);
    const ys: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t++) {
      const xt = tf.reshape(tf.slice(x, [t, 0, 0], [1, -1, -1]), [B, -1]) as tf.Tensor2D; // [B, X]
      h = phi(tf.add(tf.add(tf.matMul(xt, params.kernel as tf.Tensor2D), tf.matMul(h, params.recurrentKernel as tf.Tensor2D)), params.bias)) as tf.Tensor2D; // [B, H]
      ys.push(h);
    }
    return { ys: tf.stack(ys) as tf.Tensor3D, hT: h };
  });
}

/** One fused RNN step on resident weights: `[h, {h}]` like `rnnStep` (extras are not fused). */
export function rnnFusedStep(rt: KernelRuntime, p: RnnSequenceParams, res: RnnResidents, act: number, s: { h: tf.Tensor2D }, x: tf.Tensor2D) {
  const [B, X] = x.shape;
  const H = s.h.shape[1];
  const d = { T: 1, B, X, H, act };
  if (!tapeOn()) {
    // batched steps (B ≥ 4, the GEMM tile) read K and R packed once, not re-packed on every call
    const packed = B >= 4 ? [res.kernel.syncPacked(p.kernel), res.recurrentKernel.syncPacked(p.recurrentKernel)] : [];
    const h = forwardWasm(rt, d, x, s.h, [res.kernel.sync(p.kernel), res.recurrentKernel.sync(p.recurrentKernel), res.bias.sync(p.bias), ...packed], false, { ysShape: [B, H] }).ys as tf.Tensor2D;
    return [h, { h }] as const;
  }
  return tf.tidy(() => {
    const h = tf.reshape(rnnOp(rt, d, res)(x, s.h, p.kernel, p.recurrentKernel, p.bias), [B, H]) as tf.Tensor2D;
    return [h, { h }] as const;
  });
}
