/**
 * The dense layer's fused path: a whole chunk, all T·B rows at once, as one GEMM with a hand-written
 * backward (`affine` of @rxrnn/kernels), then φ:
 *
 *     ys = φ(xs W + b)      xs [T·B, X] → [T, B, Y]
 *
 * A step is one small matMul, so it keeps the cell's tfjs step. Named activations and softmax; a
 * custom activation function is not covered.
 */
import * as tf from '@tensorflow/tfjs';
import { getActivation, type Activation } from '@rxrnn/core';
import { affine } from '@rxrnn/kernels';
import type { FusedFamily } from '../fused/fused-family.js';

/** The `dense` family on the kernels (whole chunks only). */
export const denseFused: FusedFamily = {
  unsupported: (cell) => (cell.config.activation === 'custom' ? 'a custom activation function (fused dense: named activations and softmax)' : null),
  sequence: (cell, rt, state, xs) => {
    const name = String(cell.config.activation ?? 'linear');
    const phi = name === 'softmax' ? (t: tf.Tensor) => tf.softmax(t) : getActivation(name as Activation, 'fuseCell', 'cell.config.activation');
    const [T, B, X] = xs.shape;
    const ys = tf.tidy(() => tf.reshape(phi(affine(tf.reshape(xs, [T * B, X]), cell.params.kernel as tf.Tensor2D, cell.params.bias as tf.Tensor1D, { kernels: rt })), [T, B, cell.outputSize]) as tf.Tensor3D); // [T, B, Y]
    return [ys, state ?? {}];
  },
  stepper: () => ({ step: () => null, dispose: () => {} }),
};
