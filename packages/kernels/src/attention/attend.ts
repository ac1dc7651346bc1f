/**
 * `attendAdditive` / `attendDot`: one attention step — scores, masked softmax and context — in one
 * kernel call (native or WebAssembly), for inference (a decoder step, beam search):
 *
 *     additive:  e_bs = v · tanh(q_b W + kp_bs + cov_bs w_c)      kp: the keys' projection U h_s + b
 *     dot:       e_bs = q_b · k_bs                                k: the keys, or their projection
 *     both:      α_b = softmax(e_b, masked positions −1e9) ⊙ mask_b,   c_b = Σ_s α_bs h_bs
 *
 * The numbers of @rxrnn/attention's tfjs path (its reference) within float32 round-off.
 * `attendAdditive` without coverage is differentiable (one tape node; its backward, `attendAdditiveBackward`,
 * recomputes the tanh from the inputs and gives the gradients of the query, W, the projection, v and the
 * values); with coverage, and `attendDot`, the results carry no gradient (@rxrnn/attention uses them only
 * while no gradient tape records). The per-source tensors (projection, keys, values) and the weights stay
 * resident in kernel memory between steps; the query, mask and coverage are copied in per call.
 *
 * ```ts
 * const { context, weights } = attendAdditive(q, W, kp, v, keys, { mask }); // [B, D], [B, S]
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes } from '@rxrnn/core';
import { checkTensor, residentFor, floatValues, tensorAt, runtimeOf, tapeOn, multiOutputOp, Reserve, type KernelsChoice } from '../shared.js';
import type { KernelRuntime } from '../wasm/runtime.js';

export interface AttendKernelOptions {
  /** 1 for real source positions, 0 for padding [B, S] (float32). */
  mask?: tf.Tensor2D;
  /** Which kernels run it (a config or a runtime). Default: `kernels()`'s. */
  kernels?: KernelsChoice;
}

export interface AttendAdditiveOptions extends AttendKernelOptions {
  /** The coverage Σ_{k<i} α_k [B, S] and its weight w_c [A] (See et al. 2017): both or neither. */
  coverage?: tf.Tensor2D;
  coverageKernel?: tf.Tensor1D;
}

/** What one step returns (new tensors, the caller's to dispose). */
export interface AttendKernelResult {
  /** c = Σ_s α_s h_s [B, D]. */
  context: tf.Tensor2D;
  /** α [B, S]. */
  weights: tf.Tensor2D;
}

function runtime(fn: string, choice: KernelsChoice | undefined): KernelRuntime {
  const rt = runtimeOf(choice, fn);
  if (!rt) throw rxrnnError(ErrorCodes.STATE, fn, 'options.kernels', 'kernels that are enabled and loaded (await loadKernels())', 'none');
  return rt;
}

/** The per-step inputs copied into kernel memory: query, then mask and coverage when given. */
function stepInputs(rt: KernelRuntime, ptrs: readonly number[], query: tf.Tensor, mask?: tf.Tensor, coverage?: tf.Tensor): [number, number, number] {
  rt.write(ptrs[0], floatValues(query));
  if (mask) rt.write(ptrs[1], floatValues(mask));
  if (coverage) rt.write(ptrs[2], floatValues(coverage));
  return [ptrs[0], mask ? ptrs[1] : 0, coverage ? ptrs[2] : 0];
}

/**
 * Additive (Bahdanau) attention step on the kernels: query [B, Q], kernel W [Q, A], keysProj
 * (U h + b) [B, S, A], v [A], values (the keys h) [B, S, D] → context [B, D], weights [B, S].
 */
export function attendAdditive(query: tf.Tensor2D, kernel: tf.Tensor2D, keysProj: tf.Tensor3D, v: tf.Tensor1D, values: tf.Tensor3D, options: AttendAdditiveOptions = {}): AttendKernelResult {
  const fn = 'attendAdditive';
  checkTensor(fn, 'query', query, [-1, -1], '[B, Q]');
  const [B, Q] = query.shape;
  checkTensor(fn, 'kernel', kernel, [Q, -1], `[${Q}, A]`);
  const A = kernel.shape[1];
  checkTensor(fn, 'keysProj', keysProj, [B, -1, A], `[${B}, S, ${A}]`);
  const S = keysProj.shape[1];
  checkTensor(fn, 'v', v, [A], `[${A}]`);
  checkTensor(fn, 'values', values, [B, S, -1], `[${B}, ${S}, D]`);
  const D = values.shape[2];
  if (options.mask !== undefined) checkTensor(fn, 'options.mask', options.mask, [B, S], `[${B}, ${S}]`);
  if ((options.coverage === undefined) !== (options.coverageKernel === undefined)) {
    throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.coverage', 'given together with options.coverageKernel (or neither)', options.coverage === undefined ? 'undefined' : 'a tensor without coverageKernel');
  }
  if (options.coverage !== undefined) checkTensor(fn, 'options.coverage', options.coverage, [B, S], `[${B}, ${S}]`);
  if (options.coverageKernel !== undefined) checkTensor(fn, 'options.coverageKernel', options.coverageKernel, [A], `[${A}]`);
  const rt = runtime(fn, options.kernels);
  if (tapeOn() && !options.coverage) return additiveOp(rt, query, kernel, keysProj, v, values, options.mask);
  const pW = residentFor(rt, kernel).sync(kernel);
  const pk = residentFor(rt, keysProj).sync(keysProj);
  const pv = residentFor(rt, v).sync(v);
  const ph = residentFor(rt, values).sync(values);
  const pwc = options.coverageKernel ? residentFor(rt, options.coverageKernel).sync(options.coverageKernel) : 0;
  return rt.scratch([B * Q, B * S, B * S, B * A, B * S, B * D], (ptrs) => {
    const [pq, pm, pc] = stepInputs(rt, ptrs, query, options.mask, options.coverage);
    const [, , , pqp, pw, pctx] = ptrs;
    rt.k.attendAdditive(B, S, Q, A, D, pq, pW, pk, pv, ph, pm, pc, pwc, pqp, pw, pctx);
    return { context: tensorAt<tf.Rank.R2>(rt, pctx, [B, D]), weights: tensorAt<tf.Rank.R2>(rt, pw, [B, S]) };
  });
}

/**
 * attendAdditive on the tape: one node over (query, kernel, keysProj, v, values) with outputs (context,
 * weights). What the backward reads is kept in kernel memory (a {@link Reserve}): the query, the mask and
 * the weights α; the resident addresses of the rest are those of the forward.
 */
function additiveOp(rt: KernelRuntime, query: tf.Tensor2D, kernel: tf.Tensor2D, keysProj: tf.Tensor3D, v: tf.Tensor1D, values: tf.Tensor3D, mask?: tf.Tensor2D): AttendKernelResult {
  const [B, Q] = query.shape;
  const [A, S, D] = [kernel.shape[1], keysProj.shape[1], values.shape[2]];
  const [context, weights] = multiOutputOp([query, kernel, keysProj, v, values], () => {
    const rk = residentFor(rt, kernel);
    const [pW, pWT] = [rk.sync(kernel), rk.syncTransposed(kernel)];
    const pk = residentFor(rt, keysProj).sync(keysProj);
    const pv = residentFor(rt, v).sync(v);
    const ph = residentFor(rt, values).sync(values);
    const saved = new Reserve(rt, [B * Q, B * S, B * S]); // query, mask, α
    let outputs: tf.Tensor[];
    try {
      const [pq, pm, pw] = saved.ptrs;
      rt.write(pq, floatValues(query));
      if (mask) rt.write(pm, floatValues(mask));
      outputs = rt.scratch([B * A, B * D], ([pqp, pctx]) => {
        rt.k.attendAdditive(B, S, Q, A, D, pq, pW, pk, pv, ph, mask ? pm : 0, 0, 0, pqp, pw, pctx);
        return [tensorAt<tf.Rank.R2>(rt, pctx, [B, D]), tensorAt<tf.Rank.R2>(rt, pw, [B, S])];
      });
    } catch (e) {
      saved.release();
      throw e;
    }
    return {
      outputs,
      backward: ([dc, dw]) => {
        try {
          const [pq, pm, pw] = saved.ptrs;
          return rt.scratch([B * D, B * S, B * A, B * S, B * A, B * Q, Q * A, B * S * A, A, B * S * D], ([pdc, pdw, pqp, pde, pdqp, pdq, pdW, pdk, pdv, pdh]) => {
            rt.write(pdc, floatValues(dc));
            rt.write(pdw, floatValues(dw));
            rt.k.attendAdditiveBackward(B, S, Q, A, D, pq, pW, pWT, pk, pv, ph, mask ? pm : 0, pw, pdc, pdw, pqp, pde, pdqp, pdq, pdW, pdk, pdv, pdh);
            return [tensorAt(rt, pdq, [B, Q]), tensorAt(rt, pdW, [Q, A]), tensorAt(rt, pdk, [B, S, A]), tensorAt(rt, pdv, [A]), tensorAt(rt, pdh, [B, S, D])];
          });
        } finally {
          saved.release();
        }
      },
    };
  });
  return { context: context as tf.Tensor2D, weights: weights as tf.Tensor2D };
}

/**
 * Dot / general (Luong) attention step on the kernels: query [B, Q], keys [B, S, Q] (the keys
 * themselves for `dot`, their projection h W_aᵀ for `general`), values [B, S, D] → context [B, D], weights [B, S].
 */
export function attendDot(query: tf.Tensor2D, keys: tf.Tensor3D, values: tf.Tensor3D, options: AttendKernelOptions = {}): AttendKernelResult {
  const fn = 'attendDot';
  checkTensor(fn, 'query', query, [-1, -1], '[B, Q]');
  const [B, Q] = query.shape;
  checkTensor(fn, 'keys', keys, [B, -1, Q], `[${B}, S, ${Q}]`);
  const S = keys.shape[1];
  checkTensor(fn, 'values', values, [B, S, -1], `[${B}, ${S}, D]`);
  const D = values.shape[2];
  if (options.mask !== undefined) checkTensor(fn, 'options.mask', options.mask, [B, S], `[${B}, ${S}]`);
  const rt = runtime(fn, options.kernels);
  const pk = residentFor(rt, keys).sync(keys);
  const ph = keys === values ? pk : residentFor(rt, values).sync(values);
  return rt.scratch([B * Q, B * S, 1, B * S, B * D], (ptrs) => {
    const [pq, pm] = stepInputs(rt, ptrs, query, options.mask);
    const [, , , pw, pctx] = ptrs;
    rt.k.attendDot(B, S, Q, D, pq, pk, ph, pm, pw, pctx);
    return { context: tensorAt<tf.Rank.R2>(rt, pctx, [B, D]), weights: tensorAt<tf.Rank.R2>(rt, pw, [B, S]) };
  });
}
