/**
 * `affine(x, kernel, bias)`: `y = x W + b` for many rows at once (an output layer applied to all
 * T·B steps of a chunk), as one kernel GEMM with a hand-written backward, differentiable through
 * `tf.customGrad`:
 *
 *     y = x W + b          dx = dy Wᵀ          dW = xᵀ dy          db = Σ_rows dy
 *
 * Why: tfjs-wasm's matMul is slow with a transposed operand, which is what autodiff of `x W` asks
 * for (`dW = xᵀ dy`); here the backward runs on the fused kernels (native or WebAssembly) with the
 * transpose of W kept resident beside W. Without kernels it is `tf.add(tf.matMul(x, W), b)`.
 *
 * ```ts
 * const dense = denseCell({ inputSize: 256, outputSize: 83 });
 * const logits = affine(h, dense.params.kernel as tf.Tensor2D, dense.params.bias as tf.Tensor1D); // [N, 83]
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelRuntime, Resident } from '../wasm/runtime.js';
import { checkTensor, residentFor, tapeOn, floatValues, tensorAt, Reserve, runtimeOf, type KernelsChoice } from '../shared.js';

export interface AffineOptions {
  /** Which kernels run it (a config or a runtime). Default: `kernels()`'s. */
  kernels?: KernelsChoice;
}

/**
 * y[N, Y] = x[N, X] · W[X, Y] + b[Y] in kernel memory (bias broadcast first, then the GEMM adds), on
 * blocks `px` (x, written here) and `py`; returns y as a new tensor.
 */
function forwardWasm(rt: KernelRuntime, N: number, X: number, Y: number, x: tf.Tensor, pw: number, bias: tf.Tensor, px: number, py: number): tf.Tensor2D {
  rt.write(px, floatValues(x));
  const b = floatValues(bias);
  const f = rt.f32();
  const o = py >>> 2;
  for (let i = 0; i < N; i++) f.set(b, o + i * Y); // [N, Y] rows of b
  rt.k.gemm(N, Y, X, px, X, pw, Y, py, Y, 1);
  return tensorAt<tf.Rank.R2>(rt, py, [N, Y]);
}

function affineOp(rt: KernelRuntime, N: number, X: number, Y: number, rw: Resident) {
  return tf.customGrad(((x: tf.Tensor, W: tf.Tensor, b: tf.Tensor) => {
    // x stays in kernel memory for the backward (dW = xᵀ dy): a Reserve, released by the backward
    const saved = new Reserve(rt, [N * X]);
    let y: tf.Tensor2D;
    try {
      y = rt.scratch([N * Y], ([py]) => forwardWasm(rt, N, X, Y, x, rw.sync(W), b, saved.ptrs[0], py));
    } catch (e) {
      saved.release();
      throw e;
    }
    return {
      value: y,
      gradFunc: (dy: tf.Tensor) => {
        try {
          const px = saved.ptrs[0];
          return rt.scratch([N * Y, N * X, X * Y, Y], ([pdy, pdx, pdW, pdb]) => {
            rt.write(pdy, floatValues(dy));
            rt.k.gemm(N, X, Y, pdy, Y, rw.syncTransposed(W), X, pdx, X, 0); // dx = dy · Wᵀ   [N, X]
            rt.k.gemmTN(N, X, Y, px, X, pdy, Y, pdW, Y, 0); // dW = xᵀ · dy   [X, Y]
            rt.k.colsum(N, Y, pdy, Y, pdb, 0); // db = Σ_rows dy   [Y]
            return [tensorAt(rt, pdx, [N, X]), tensorAt(rt, pdW, [X, Y]), tensorAt(rt, pdb, [Y])];
          });
        } finally {
          saved.release();
        }
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
}

/** `x W + b` on the fused kernels (see the module doc). x [N, X], kernel [X, Y], bias [Y] → [N, Y]. */
export function affine(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, options: AffineOptions = {}): tf.Tensor2D {
  const fn = 'affine';
  checkTensor(fn, 'x', x, [-1, -1], '[N, X]');
  const [N, X] = x.shape;
  checkTensor(fn, 'kernel', kernel, [X, -1], `[${X}, Y]`);
  const Y = kernel.shape[1];
  checkTensor(fn, 'bias', bias, [Y], `[${Y}]`);
  const rt = runtimeOf(options.kernels, fn);
  if (!rt) return tf.tidy(() => tf.add(tf.matMul(x, kernel), bias) as tf.Tensor2D);
  const rw = residentFor(rt, kernel);
  if (!tapeOn()) return rt.scratch([N * X, N * Y], ([px, py]) => forwardWasm(rt, N, X, Y, x, rw.sync(kernel), bias, px, py));
  return affineOp(rt, N, X, Y, rw)(x, kernel, bias) as tf.Tensor2D;
}
