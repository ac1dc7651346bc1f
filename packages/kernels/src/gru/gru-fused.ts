/**
 * Fused GRU (Cho et al. 2014; the equations of packages/cells/src/gru/gru-step.ts, gate order
 * r, z, n), in both forms:
 *
 *     r = σ(x K_r + h R_r + b_r [+ b'_r])      z = σ(x K_z + h R_z + b_z [+ b'_z])
 *     reset-after (PyTorch):   n = tanh(x K_n + b_n + r ⊙ (h R_n + b'_n))
 *     reset-before (paper):    n = tanh(x K_n + b_n + (r ⊙ h) R_n)
 *     h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 *
 * in WebAssembly: input projections of all steps as one GEMM, the recurrence in one call, gates
 * kept for the hand-written backward; wrapped in `tf.customGrad`.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes } from '@rxrnn/core';
import { kernels, type KernelRuntime, type Resident } from '../wasm/runtime.js';
import { checkTensor, residentFor, tapeOn, values, tensorAt, Reserve, forwardOn } from '../shared.js';

export interface GruSequenceParams {
  kernel: tf.Tensor; // [X, 3H]
  recurrentKernel: tf.Tensor; // [H, 3H]
  bias: tf.Tensor; // [3H]
  /** b' [3H]: reset-after form only (optional there: treated as zero when absent). */
  recurrentBias?: tf.Tensor;
}

export interface GruSequenceOptions {
  /** PyTorch's form (default true) or Cho et al.'s reset-before form. */
  resetAfter?: boolean;
}

export interface GruSequenceResult {
  ys: tf.Tensor3D; // [T, B, H]
  hT: tf.Tensor2D; // [B, H]
}

export interface GruResidents {
  kernel: Resident;
  recurrentKernel: Resident;
  bias: Resident;
  recurrentBias: Resident;
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
      rt.write(px, values(x));
      if (h0) rt.write(phs, values(h0));
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
      rt.write(pdys, values(dys));
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
    const w = [res.kernel.sync(K), res.recurrentKernel.sync(R), res.bias.sync(b), d.hasRb ? res.recurrentBias.sync(rb) : 0];
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
  const rt = kernels();
  if (!rt) return gruSequenceTfjs(params, x, h0, options);
  const res = gruResidents(rt, params);
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

function gruResidents(rt: KernelRuntime, p: GruSequenceParams): GruResidents {
  return {
    kernel: residentFor(rt, p.kernel),
    recurrentKernel: residentFor(rt, p.recurrentKernel),
    bias: residentFor(rt, p.bias),
    recurrentBias: p.recurrentBias ? residentFor(rt, p.recurrentBias) : (null as unknown as Resident),
  };
}

function syncAll(res: GruResidents, p: GruSequenceParams, hasRb: boolean): number[] {
  return [res.kernel.sync(p.kernel), res.recurrentKernel.sync(p.recurrentKernel), res.bias.sync(p.bias), hasRb ? res.recurrentBias.sync(p.recurrentBias as tf.Tensor) : 0];
}

/** The same sequence with tfjs ops (the fallback). */
export function gruSequenceTfjs(params: GruSequenceParams, x: tf.Tensor3D, h0?: tf.Tensor2D, options: GruSequenceOptions = {}): GruSequenceResult {
  const [T, B] = x.shape;
  const H = params.recurrentKernel.shape[0];
  const resetAfter = options.resetAfter ?? true;
  return tf.tidy(() => {
    let h = h0 ?? (tf.zeros([B, H]) as tf.Tensor2D);
    const ys: tf.Tensor2D[] = [];
    const K = params.kernel as tf.Tensor2D;
    const R = params.recurrentKernel as tf.Tensor2D;
    for (let t = 0; t < T; t++) {
      const xt = tf.reshape(tf.slice(x, [t, 0, 0], [1, -1, -1]), [B, -1]) as tf.Tensor2D; // [B, X]
      const [xr, xu, xn] = tf.split(tf.add(tf.matMul(xt, K), params.bias), 3, 1); // 3 × [B, H]
      let n: tf.Tensor;
      let u: tf.Tensor;
      if (resetAfter) {
        let hz = tf.matMul(h, R) as tf.Tensor; // [B, 3H]
        if (params.recurrentBias) hz = tf.add(hz, params.recurrentBias);
        const [hr, hu, hn] = tf.split(hz, 3, 1);
        const r = tf.sigmoid(tf.add(xr, hr));
        u = tf.sigmoid(tf.add(xu, hu));
        n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
      } else {
        const [hr, hu] = tf.split(tf.matMul(h, tf.slice(R, [0, 0], [H, 2 * H])), 2, 1);
        const r = tf.sigmoid(tf.add(xr, hr));
        u = tf.sigmoid(tf.add(xu, hu));
        n = tf.tanh(tf.add(xn, tf.matMul(tf.mul(r, h), tf.slice(R, [0, 2 * H], [H, H]))));
      }
      h = tf.add(tf.mul(tf.sub(1, u), n), tf.mul(u, h)) as tf.Tensor2D; // [B, H]
      ys.push(h);
    }
    return { ys: tf.stack(ys) as tf.Tensor3D, hT: h };
  });
}

/** One fused GRU step on resident weights: `[h, {h}, extras?]` like `gruStep`. */
export function gruFusedStep(rt: KernelRuntime, p: GruSequenceParams, res: GruResidents, resetAfter: boolean, s: { h: tf.Tensor2D }, x: tf.Tensor2D, extras: boolean) {
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
    return [h, { h }, extras ? ex(f.gates as Float32Array) : undefined] as const;
  }
  return tf.tidy(() => {
    const inputs = [x, s.h, p.kernel, p.recurrentKernel, p.bias];
    if (d.hasRb) inputs.push(p.recurrentBias as tf.Tensor);
    const h = tf.reshape(gruOp(rt, d, res)(...inputs), [B, H]) as tf.Tensor2D;
    const e = extras ? ex(forwardWasm(rt, d, x, s.h, syncAll(res, p, d.hasRb), false, { gates: true }).gates as Float32Array) : undefined;
    return [h, { h }, e] as const;
  });
}

export { gruResidents };
