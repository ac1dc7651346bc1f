/**
 * `denseCell`: a stateless affine layer `y = φ(x W + b)` as a Cell (empty state), so output heads
 * compose with recurrent layers in `stackCells`. φ may also be `'softmax'` (for a distribution).
 *
 * Parameters: `kernel` [X, Y], `bias` [Y].
 */
import * as tf from '@tensorflow/tfjs';
import { defineCell, checkSize, createRng, getActivation, glorotUniform, type Activation, type Cell } from '@rxrnn/core';
import type { KernelsConfig } from '@rxrnn/kernels';
import { withFusedPath } from '../fused/fuse-cell.js';
import { param, checkWeightNames, type WeightsInput } from '../shared/weights.js';

export interface DenseCellOptions {
  inputSize: number;
  outputSize: number;
  /** φ: any activation, or `'softmax'`. Default `'linear'` (logits). */
  activation?: Activation | 'softmax';
  seed?: number;
  weights?: WeightsInput;
  /**
   * Run whole chunks (`sequence`, in training) as one GEMM on the fused kernels of @rxrnn/kernels,
   * with a hand-written backward (tfjs-wasm's own matMul gradient is slow). Default true; the step
   * is the tfjs one either way. Ignored for a custom activation function. A kernels config picks the
   * kernels (`{ native: false }`: WebAssembly).
   */
  fused?: boolean | KernelsConfig;
}

type DenseParams = { kernel: tf.Tensor2D; bias: tf.Tensor1D };

export function denseCell(options: DenseCellOptions): Cell<Record<string, never>> {
  const fn = 'denseCell';
  const { inputSize: X, outputSize: Y } = options ?? ({} as DenseCellOptions);
  checkSize(fn, 'options.inputSize', X);
  checkSize(fn, 'options.outputSize', Y);
  const activation = options.activation ?? 'linear';
  const phi = activation === 'softmax' ? (t: tf.Tensor) => tf.softmax(t) : getActivation(activation, fn, 'options.activation');
  checkWeightNames(fn, options.weights, ['kernel', 'bias']);
  const rng = createRng(options.seed ?? 0);
  const cell = defineCell<DenseParams, Record<string, never>>({
    kind: 'dense',
    inputSize: X,
    outputSize: Y,
    config: { inputSize: X, outputSize: Y, activation: typeof activation === 'string' ? activation : 'custom' },
    params: {
      kernel: param(fn, options.weights, 'kernel', [X, Y], () => glorotUniform(rng, X, Y)),
      bias: param(fn, options.weights, 'bias', [Y], () => new Float32Array(Y)),
    },
    initialState: () => ({}),
    step: (p, s, x) => [phi(tf.add(tf.matMul(x, p.kernel), p.bias)) as tf.Tensor2D, s], // [B, Y]
    // All T steps as one matMul: [T·B, X] · [X, Y] → [T, B, Y].
    sequence: (p, s, xs) => {
      const [T, B] = xs.shape;
      const y = phi(tf.add(tf.matMul(tf.reshape(xs, [T * B, X]), p.kernel), p.bias)); // [T·B, Y]
      return [tf.reshape(y, [T, B, Y]) as tf.Tensor3D, s];
    },
  });
  return typeof activation === 'string' ? withFusedPath(cell, options.fused) : cell;
}
