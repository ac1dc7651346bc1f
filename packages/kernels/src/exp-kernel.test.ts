// The kernels lend their vectorised exp to @rxrnn/core's softmaxCrossEntropy once they load: the loss
// and its gradient then still match the loss written with tfjs ops, on both runtimes.
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { softmaxCrossEntropy } from '@rxrnn/core';
import { expectClose } from '@rxrnn/testing';
import { kernels, kernelsInfo, withNativeKernels } from './index.js';

const backends = withNativeKernels(true, () => kernelsInfo()?.backend) === 'native' ? [true, false] : [false];
const reference = (y: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor1D => tf.neg(tf.sum(tf.mul(tf.logSoftmax(y), tf.oneHot(ids, y.shape[1])), 1)) as tf.Tensor1D;

describe.each(backends)('softmaxCrossEntropy on the kernels’ exp (native: %s)', (native) => {
  it('matches logSoftmax · oneHot in value and gradient, logits up to ±60', () =>
    withNativeKernels(native, () => {
      expect(kernels()).not.toBeNull();
      const [B, V] = [300, 83];
      const y = tf.tidy(() => tf.mul(tf.randomNormal([B, V], 0, 1, 'float32', 11), 20)) as tf.Tensor2D;
      const ids = tf.randomUniform([B], 0, V, 'int32', 12) as tf.Tensor1D;
      const w = tf.randomUniform([B], 0, 2, 'float32', 13);
      const f = (loss: typeof reference) => (x: tf.Tensor) => tf.sum(tf.mul(loss(x as tf.Tensor2D, ids), w));
      const [l, r] = [softmaxCrossEntropy(y, ids), reference(y, ids)];
      const [gl, gr] = [tf.grad(f(softmaxCrossEntropy as typeof reference))(y), tf.grad(f(reference))(y)];
      expectClose(l, r, 1e-5, 1e-5, 'loss');
      expectClose(gl, gr, 1e-5, 1e-6, 'gradient');
      tf.dispose([y, ids, w, l, r, gl, gr]);
    }));
});
