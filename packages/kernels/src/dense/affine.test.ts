// affine(x, W, b) against tfjs's matMul + add: values and all three gradients, on the native and
// the WebAssembly kernels; bad input; leaks (tensors and kernel memory).
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { expectClose, expectNoLeaks } from '@rxrnn/testing';
import { affine, kernels, kernelsInfo } from '../index.js';

const backends = kernelsInfo({ native: true })?.backend === 'native' ? [true, false] : [false];

describe.each(backends)('affine (native: %s)', (native) => {
  const on = { kernels: { native } }; // the runtime every call runs on

  it('matches x·W + b, and its gradients match autodiff of the tfjs ops', () => {
    for (const [N, X, Y] of [[1, 1, 1], [7, 5, 3], [130, 37, 83], [3, 64, 17]]) {
      const x = tf.randomNormal([N, X], 0, 1, 'float32', N) as tf.Tensor2D;
      const W = tf.variable(tf.randomNormal([X, Y], 0, 0.5, 'float32', X)) as tf.Variable<tf.Rank.R2>;
      const b = tf.variable(tf.randomNormal([Y], 0, 0.5, 'float32', Y)) as tf.Variable<tf.Rank.R1>;
      const w = tf.randomNormal([N, Y], 0, 1, 'float32', 9);
      const ref = tf.tidy(() => tf.add(tf.matMul(x, W), b));
      const got = affine(x, W, b, on);
      expectClose(got, ref, 1e-5, 1e-5, `y ${N}x${X}x${Y}`);
      const loss = (f: (xx: tf.Tensor2D) => tf.Tensor) => (xx: tf.Tensor) => tf.sum(tf.mul(f(xx as tf.Tensor2D), w)) as tf.Scalar;
      const fa = loss((xx) => affine(xx, W, b, on));
      const fb = loss((xx) => tf.add(tf.matMul(xx, W), b));
      const [ga, gb] = [tf.grad(fa)(x), tf.grad(fb)(x)];
      expectClose(ga, gb, 1e-5, 1e-5, 'dx');
      const va = tf.variableGrads(() => fa(x), [W, b]);
      const vb = tf.variableGrads(() => fb(x), [W, b]);
      expectClose(va.grads[W.name], vb.grads[W.name], 1e-4, 1e-5, 'dW');
      expectClose(va.grads[b.name], vb.grads[b.name], 1e-4, 1e-5, 'db');
      // after W changes (an optimiser step), the resident copy and its transpose follow
      W.assign(tf.mul(W, -2) as tf.Tensor2D);
      const again = affine(x, W, b, on);
      const ref2 = tf.tidy(() => tf.add(tf.matMul(x, W), b));
      expectClose(again, ref2, 1e-5, 1e-5, 'y after assign');
      const g2 = tf.grad(loss((xx) => affine(xx, W, b, on)))(x);
      const r2 = tf.grad(loss((xx) => tf.add(tf.matMul(xx, W), b)))(x);
      expectClose(g2, r2, 1e-5, 1e-5, 'dx after assign');
      tf.dispose([x, W, b, w, ref, got, ga, gb, va as never, vb as never, again, ref2, g2, r2]);
    }
  });

  it('names the argument that is wrong', () => {
    const W = tf.zeros([3, 2]) as tf.Tensor2D;
    const b = tf.zeros([2]) as tf.Tensor1D;
    expect(() => affine(tf.zeros([4, 5]) as tf.Tensor2D, W, b, on)).toThrow(/affine: kernel: expected a tensor of shape \[5, Y\]/);
    expect(() => affine(tf.zeros([4, 3]) as tf.Tensor2D, W, tf.zeros([3]) as tf.Tensor1D, on)).toThrow(/affine: bias: expected a tensor of shape \[2\]/);
    expect(() => affine(tf.zeros([4]) as never, W, b, on)).toThrow(/affine: x: expected a tensor of shape \[N, X\]/);
    tf.dispose([W, b]);
  });

  it('leaks no tensors and no kernel memory (inference and training)', async () => {
    const x = tf.randomNormal([9, 4]) as tf.Tensor2D;
    const W = tf.variable(tf.randomNormal([4, 3])) as tf.Variable<tf.Rank.R2>;
    const b = tf.variable(tf.zeros([3])) as tf.Variable<tf.Rank.R1>;
    const opt = tf.train.sgd(0.1);
    const train = () => opt.minimize(() => tf.sum(tf.square(affine(x, W, b, on))) as tf.Scalar, false, [W, b]);
    affine(x, W, b, on).dispose();
    train();
    const rt = kernels(on.kernels)!;
    const bytes = rt.bytesInUse();
    await expectNoLeaks(() => {
      affine(x, W, b, on).dispose();
      train();
    });
    expect(rt.bytesInUse()).toBe(bytes);
    tf.dispose([x, W, b]);
    opt.dispose();
  });
});
