// The kernels' vectorised exp installed in @rxrnn/core's softmaxCrossEntropy (setExpKernel(kernelExp())):
// the loss and its gradient then still match the loss written with tfjs ops, on both runtimes.
import { describe, it, expect, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { softmaxCrossEntropy, setExpKernel } from '@rxrnn/core';
import { expectClose } from '@rxrnn/testing';
import { kernelExp, kernelsInfo } from './index.js';

const backends = kernelsInfo({ native: true })?.backend === 'native' ? [true, false] : [false];
afterAll(() => setExpKernel(null));
const reference = (y: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor1D => tf.neg(tf.sum(tf.mul(tf.logSoftmax(y), tf.oneHot(ids, y.shape[1])), 1)) as tf.Tensor1D;

describe.each(backends)('softmaxCrossEntropy on the kernels’ exp (native: %s)', (native) => {
  it('matches logSoftmax · oneHot in value and gradient, logits up to ±60', () => {
    const exp = kernelExp({ native });
    expect(exp).not.toBeNull();
    let calls = 0;
    setExpKernel((v) => (calls++, exp!(v)));
    const [B, V] = [300, 83];
    const y = tf.tidy(() => tf.mul(tf.randomNormal([B, V], 0, 1, 'float32', 11), 20)) as tf.Tensor2D;
    const ids = tf.randomUniform([B], 0, V, 'int32', 12) as tf.Tensor1D;
    const w = tf.randomUniform([B], 0, 2, 'float32', 13);
    const f = (loss: typeof reference) => (x: tf.Tensor) => tf.sum(tf.mul(loss(x as tf.Tensor2D, ids), w));
    const [l, r] = [softmaxCrossEntropy(y, ids), reference(y, ids)];
    const [gl, gr] = [tf.grad(f(softmaxCrossEntropy as typeof reference))(y), tf.grad(f(reference))(y)];
    expectClose(l, r, 1e-5, 1e-5, 'loss');
    expectClose(gl, gr, 1e-5, 1e-6, 'gradient');
    expect(calls).toBeGreaterThan(0); // the loss ran on the kernels' exp
    tf.dispose([y, ids, w, l, r, gl, gr]);
  });
});
