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
import { kernels, type KernelRuntime, type Resident } from '../wasm/runtime.js';
import { checkTensor, residentFor, tapeOn, values } from '../shared.js';

/** y[N, Y] = x[N, X] · W[X, Y] + b[Y] in WASM memory (bias broadcast first, then the GEMM adds). */
function forwardWasm(rt: KernelRuntime, N: number, X: number, Y: number, x: Float32Array, pw: number, bias: Float32Array): Float32Array {
  return rt.scratch([N * X, N * Y], ([px, py]) => {
    rt.write(px, x);
    const f = rt.f32();
    const o = py >>> 2;
    for (let i = 0; i < N; i++) f.set(bias, o + i * Y); // [N, Y] rows of b
    rt.k.gemm(N, Y, X, px, X, pw, Y, py, Y, 1);
    return rt.read(py, N * Y);
  });
}

function affineOp(rt: KernelRuntime, N: number, X: number, Y: number, rw: Resident) {
  return tf.customGrad(((x: tf.Tensor, W: tf.Tensor, b: tf.Tensor) => {
    const xv = values(x).slice();
    const y = forwardWasm(rt, N, X, Y, xv, rw.sync(W), values(b));
    return {
      value: tf.tensor2d(y, [N, Y]),
      gradFunc: (dy: tf.Tensor) => {
        const dyv = values(dy);
        const [dx, dW, db] = rt.scratch([N * Y, N * X, N * X, X * Y, Y], ([pdy, px, pdx, pdW, pdb]) => {
          rt.write(pdy, dyv);
          rt.write(px, xv);
          rt.k.gemm(N, X, Y, pdy, Y, rw.syncTransposed(W), X, pdx, X, 0); // dx = dy · Wᵀ   [N, X]
          rt.k.gemmTN(N, X, Y, px, X, pdy, Y, pdW, Y, 0); // dW = xᵀ · dy   [X, Y]
          rt.k.colsum(N, Y, pdy, Y, pdb, 0); // db = Σ_rows dy   [Y]
          return [rt.read(pdx, N * X), rt.read(pdW, X * Y), rt.read(pdb, Y)];
        });
        return [tf.tensor2d(dx, [N, X]), tf.tensor2d(dW, [X, Y]), tf.tensor1d(db)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
}

/** `x W + b` on the fused kernels (see the module doc). x [N, X], kernel [X, Y], bias [Y] → [N, Y]. */
export function affine(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  const fn = 'affine';
  checkTensor(fn, 'x', x, [-1, -1], '[N, X]');
  const [N, X] = x.shape;
  checkTensor(fn, 'kernel', kernel, [X, -1], `[${X}, Y]`);
  const Y = kernel.shape[1];
  checkTensor(fn, 'bias', bias, [Y], `[${Y}]`);
  const rt = kernels();
  if (!rt) return tf.tidy(() => tf.add(tf.matMul(x, kernel), bias) as tf.Tensor2D);
  const rw = residentFor(rt, kernel);
  if (!tapeOn()) return tf.tensor2d(forwardWasm(rt, N, X, Y, values(x), rw.sync(kernel), values(bias)), [N, Y]);
  return affineOp(rt, N, X, Y, rw)(x, kernel, bias) as tf.Tensor2D;
}
