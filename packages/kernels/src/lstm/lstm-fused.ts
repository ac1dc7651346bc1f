/**
 * Fused LSTM (Hochreiter & Schmidhuber 1997 with the forget gate of Gers et al. 2000; the
 * equations of packages/cells/src/lstm/lstm-step.ts, gate order i, f, g, o, σ = sigmoid,
 * tanh):
 *
 *     [i f g o] = x_t K + h_{t−1} R + b      c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g)      h_t = σ(o) ⊙ tanh(c_t)
 *
 * and, with a `projection` [H, P] (LSTMP, Sak et al. 2014; PyTorch's `proj_size`), h_t ← h_t · projection,
 * so h (and the rows of R) have size P.
 *
 * run in WebAssembly: the input projections of all T steps as one GEMM, the recurrence in one call,
 * the activated gates and tanh(c_t) kept for a hand-written backward (BPTT) that ends with the weight
 * gradients as three large GEMMs (dK = Xᵀ·dZ, dR = Hᵀ·dZ, dX = dZ·Kᵀ), the way cuDNN's RNN API does.
 * Wrapped in `tf.customGrad`, so tfjs autodiff and optimisers see an ordinary differentiable op.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes } from '@rxrnn/core';
import { kernels, type KernelRuntime, type Resident } from '../wasm/runtime.js';
import { checkTensor, residentFor, tapeOn, values, Reserve, multiOutputOp, forwardOn, addLastStep } from '../shared.js';

export interface LstmSequenceParams {
  kernel: tf.Tensor; // [X, 4H]
  recurrentKernel: tf.Tensor; // [H, 4H]
  bias: tf.Tensor; // [4H]
  projection?: tf.Tensor; // [H, P]
}

export interface LstmSequenceResult {
  ys: tf.Tensor3D; // [T, B, R] (R = P with a projection, else H)
  hT: tf.Tensor2D; // [B, R]
  cT: tf.Tensor2D; // [B, H]
}

/** Resident weights of one LSTM. */
export interface LstmResidents {
  kernel: Resident;
  recurrentKernel: Resident;
  bias: Resident;
  projection: Resident;
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
  /** h_1..h_T then c_T: [T·B·R + B·H]. */
  packed: Float32Array;
  gates?: Float32Array; // [T·B·4H] activated
  /** With `keep`: x, hs, cs, gates, tanh(c), h before projection, left in kernel memory. */
  saved?: Reserve;
}

/**
 * The forward pass in kernel memory. `keep` leaves what the backward needs there (a {@link Reserve}:
 * x, hs [T+1, B, R], cs [T+1, B, H], gates [T, B, 4H], tanh(c) [T, B, H], h before projection).
 * w: K, R, b, Pm (0: none)[, Kp, Rp packed].
 */
function forwardWasm(rt: KernelRuntime, d: Dims, x: Float32Array, h0: Float32Array, c0: Float32Array, w: number[], keep: boolean, wantGates = false): Forward {
  const { T, B, X, H, P } = d;
  const R = P || H;
  const BH = B * H;
  const BR = B * R;
  const G = 4 * H;
  const counts = [T * B * X, (T + 1) * BR, (T + 1) * BH, T * B * G, keep ? T * BH : 0, P ? T * BH : 0];
  const run = ([px, phs, pcs, pg, ptc, phf]: readonly number[]): Forward => {
    rt.write(px, x);
    rt.write(phs, h0);
    rt.write(pcs, c0);
    rt.k.lstmForward(T, B, X, H, P, px, w[0], w[1], w[2], P ? w[3] : 0, phs, pcs, pg, keep ? ptc : 0, phf, w[4] ?? 0, w[5] ?? 0);
    const f32 = rt.f32();
    const packed = new Float32Array(T * BR + BH);
    packed.set(f32.subarray((phs >>> 2) + BR, (phs >>> 2) + (T + 1) * BR));
    packed.set(f32.subarray((pcs >>> 2) + T * BH, (pcs >>> 2) + (T + 1) * BH), T * BR);
    return wantGates ? { packed, gates: rt.read(pg, T * B * G) } : { packed };
  };
  return forwardOn(rt, counts, keep, run);
}

/** The backward pass: gradients of x, h0, c0, kernel, recurrentKernel, bias (and projection). Releases `s`. */
function backwardWasm(rt: KernelRuntime, d: Dims, s: Reserve, KT: number, RT: number, PmT: number, dys: Float32Array, dcT: Float32Array, dhT?: Float32Array): Float32Array[] {
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
        rt.write(pdys, dys);
        if (dhT) addLastStep(rt, pdys, T, dhT); // h_T is also the last row of ys: its two gradients add
        rt.write(pdcT, dcT);
        rt.k.lstmBackward(T, B, X, H, P, px, KT, RT, P ? PmT : 0, phs, pcs, pg, ptc, phf, pdys, pdcT, pdz, pdh, pdc, pdhf, pdhs, pdx, pdK, pdR, pdb, pdP);
        const out = [rt.read(pdx, TB * X), rt.read(pdh, BR), rt.read(pdc, BH), rt.read(pdK, X * G), rt.read(pdR, R * G), rt.read(pdb, G)];
        if (P) out.push(rt.read(pdP, H * P));
        return out;
      },
    );
  } finally {
    s.release();
  }
}

function syncWeights(res: LstmResidents, K: tf.Tensor, R: tf.Tensor, b: tf.Tensor, Pm?: tf.Tensor): number[] {
  return [res.kernel.sync(K), res.recurrentKernel.sync(R), res.bias.sync(b), Pm ? res.projection.sync(Pm) : 0];
}

/**
 * The differentiable op: (x [T, B, X], h0 [B, R], c0 [B, H], K, R, b[, Pm]) → ys [T, B, R], hT [B, R],
 * cT [B, H], one tape node whose backward is one kernel call.
 */
function runOp(rt: KernelRuntime, d: Dims, res: LstmResidents, p: LstmSequenceParams, x: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor) {
  const { T, B, X, H, P } = d;
  const R = P || H;
  const inputs = [x, h0, c0, p.kernel, p.recurrentKernel, p.bias];
  if (P) inputs.push(p.projection as tf.Tensor);
  const [ys, hT, cT] = multiOutputOp(inputs, () => {
    const f = forwardWasm(rt, d, values(x), values(h0), values(c0), syncWeights(res, p.kernel, p.recurrentKernel, p.bias, p.projection), true);
    return {
      outputs: [
        tf.tensor3d(f.packed.subarray(0, T * B * R), [T, B, R]),
        tf.tensor2d(f.packed.slice((T - 1) * B * R, T * B * R), [B, R]),
        tf.tensor2d(f.packed.slice(T * B * R), [B, H]),
      ],
      backward: ([dys, dhT, dcT]) => {
        const g = backwardWasm(rt, d, f.saved as Reserve, res.kernel.syncTransposed(p.kernel), res.recurrentKernel.syncTransposed(p.recurrentKernel), P ? res.projection.syncTransposed(p.projection as tf.Tensor) : 0, values(dys), values(dcT), values(dhT));
        const grads = [tf.tensor(g[0], x.shape), tf.tensor2d(g[1], [B, R]), tf.tensor2d(g[2], [B, H]), tf.tensor2d(g[3], [X, 4 * H]), tf.tensor2d(g[4], [R, 4 * H]), tf.tensor1d(g[5])];
        if (P) grads.push(tf.tensor2d(g[6], [H, P]));
        return grads;
      },
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
 * backward runs in WASM too. Falls back to tfjs ops, with the same results, when the WASM kernels
 * are unavailable.
 *
 * ```ts
 * const cell = lstmCell({ inputSize: 8, hiddenSize: 32 });
 * const { ys, hT, cT } = lstmSequence(cell.params as never, tf.randomNormal([100, 16, 8]));
 * ```
 */
export function lstmSequence(params: LstmSequenceParams, x: tf.Tensor3D, h0?: tf.Tensor2D, c0?: tf.Tensor2D): LstmSequenceResult {
  const fn = 'lstmSequence';
  checkTensor(fn, 'x', x, [-1, -1, -1], '[T, B, X]');
  const [T, B, X] = x.shape;
  const { H, P } = checkParams(fn, params, X);
  const R = P || H;
  if (h0 !== undefined) checkTensor(fn, 'h0', h0, [B, R], `[${B}, ${R}]`);
  if (c0 !== undefined) checkTensor(fn, 'c0', c0, [B, H], `[${B}, ${H}]`);
  const rt = kernels();
  if (!rt) return lstmSequenceTfjs(params, x, h0, c0);
  const res = lstmResidents(rt, params);
  const d = { T, B, X, H, P };
  if (!tapeOn()) {
    const w = syncWeights(res, params.kernel, params.recurrentKernel, params.bias, params.projection);
    const f = forwardWasm(rt, d, values(x), h0 ? values(h0) : new Float32Array(B * R), c0 ? values(c0) : new Float32Array(B * H), w, false);
    return { ys: tf.tensor3d(f.packed.subarray(0, T * B * R), [T, B, R]), hT: tf.tensor2d(f.packed.slice((T - 1) * B * R, T * B * R), [B, R]), cT: tf.tensor2d(f.packed.slice(T * B * R), [B, H]) };
  }
  return tf.tidy(() => runOp(rt, d, res, params, x, h0 ?? tf.zeros([B, R]), c0 ?? tf.zeros([B, H])));
}

/** Resident copies of the weight tensors passed by the caller. */
export function lstmResidents(rt: KernelRuntime, p: LstmSequenceParams): LstmResidents {
  return {
    kernel: residentFor(rt, p.kernel),
    recurrentKernel: residentFor(rt, p.recurrentKernel),
    bias: residentFor(rt, p.bias),
    projection: p.projection ? residentFor(rt, p.projection) : (null as unknown as Resident),
  };
}

/** The same sequence with tfjs ops (the fallback; also a reference in tests). */
export function lstmSequenceTfjs(params: LstmSequenceParams, x: tf.Tensor3D, h0?: tf.Tensor2D, c0?: tf.Tensor2D): LstmSequenceResult {
  const [T, B] = x.shape;
  const H = params.recurrentKernel.shape[0];
  return tf.tidy(() => {
    let h = h0 ?? (tf.zeros([B, H]) as tf.Tensor2D);
    let c = c0 ?? (tf.zeros([B, H]) as tf.Tensor2D);
    const ys: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t++) {
      const xt = tf.reshape(tf.slice(x, [t, 0, 0], [1, -1, -1]), [B, -1]) as tf.Tensor2D; // [B, X]
      const z = tf.add(tf.add(tf.matMul(xt, params.kernel as tf.Tensor2D), tf.matMul(h, params.recurrentKernel as tf.Tensor2D)), params.bias); // [B, 4H]
      const [zi, zf, zg, zo] = tf.split(z, 4, 1);
      c = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zg))) as tf.Tensor2D; // [B, H]
      h = tf.mul(tf.sigmoid(zo), tf.tanh(c)) as tf.Tensor2D; // [B, H]
      if (params.projection) h = tf.matMul(h, params.projection as tf.Tensor2D); // [B, P]
      ys.push(h);
    }
    return { ys: tf.stack(ys) as tf.Tensor3D, hT: h, cT: c };
  });
}

/**
 * One fused LSTM step on resident weights: `[h, {h, c}, extras?]` like `lstmStep`. Differentiable
 * (the T = 1 case of the sequence op) when a tape is recording; otherwise a single WASM call.
 */
export function lstmFusedStep(rt: KernelRuntime, p: LstmSequenceParams, res: LstmResidents, s: { h: tf.Tensor2D; c: tf.Tensor2D }, x: tf.Tensor2D, extras: boolean) {
  const [B, X] = x.shape;
  const H = s.c.shape[1];
  const P = p.projection ? s.h.shape[1] : 0;
  const R = P || H;
  const d = { T: 1, B, X, H, P };
  // batched steps (B ≥ 4, the GEMM tile) read K and R packed once, not re-packed on every call
  const packed = (): number[] => (B >= 4 ? [res.kernel.syncPacked(p.kernel), res.recurrentKernel.syncPacked(p.recurrentKernel)] : []);
  const forward = (gates: boolean) => forwardWasm(rt, d, values(x), values(s.h), values(s.c), [...syncWeights(res, p.kernel, p.recurrentKernel, p.bias, p.projection), ...packed()], false, gates);
  if (!tapeOn()) {
    const f = forward(extras);
    const h = tf.tensor2d(f.packed.subarray(0, B * R), [B, R]);
    const c = tf.tensor2d(f.packed.subarray(B * R), [B, H]);
    return [h, { h, c }, extras ? gateExtras(f.gates as Float32Array, B, H, c) : undefined] as const;
  }
  return tf.tidy(() => {
    const { hT: h, cT: c } = runOp(rt, d, res, p, x, s.h, s.c);
    // Under a tape the extras come from the same WASM forward (not differentiable: inspection only).
    const ex = extras ? gateExtras(forward(true).gates as Float32Array, B, H, c) : undefined;
    return [h, { h, c }, ex] as const;
  });
}

function gateExtras(gates: Float32Array, B: number, H: number, c: tf.Tensor2D): Record<string, tf.Tensor> {
  const z = tf.tensor2d(gates, [B, 4 * H]);
  const [i, f, g, o] = tf.split(z, 4, 1);
  z.dispose();
  return { i, f, g, o, c };
}
