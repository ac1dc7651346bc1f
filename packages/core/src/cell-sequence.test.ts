// unrollSteps / runCellSequence: values and the gradient with respect to the inputs against the cell
// stepped by hand, for T = 1 (a one-slice unstack has no working gradient in tfjs 4.22) and T > 1.
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { expectClose, expectNoLeaks } from '@rxrnn/testing';
import { defineCell } from './cell.js';
import { runCellSequence, unrollSteps } from './cell-sequence.js';

// h' = tanh(x W + h U), y = h'
function tanhCell() {
  return defineCell<{ W: tf.Tensor2D; U: tf.Tensor2D }, { h: tf.Tensor2D }>({
    kind: 'test-tanh',
    config: {},
    inputSize: 3,
    outputSize: 2,
    params: { W: { shape: [3, 2], data: Float32Array.of(0.5, -0.2, 0.1, 0.3, -0.4, 0.6) }, U: { shape: [2, 2], data: Float32Array.of(0.2, -0.1, 0.05, 0.3) } },
    initialState: (_p, B) => ({ h: tf.zeros([B, 2]) as tf.Tensor2D }),
    step: (p, s, x) => {
      const h = tf.tanh(tf.add(tf.matMul(x, p.W), tf.matMul(s.h, p.U))) as tf.Tensor2D;
      return [h, { h }];
    },
  });
}

describe('unrollSteps', () => {
  for (const T of [1, 3]) {
    it(`T = ${T}: outputs, final state and ∂L/∂xs equal the hand-stepped cell's`, async () => {
      const cell = tanhCell();
      const xs = tf.randomNormal([T, 2, 3], 0, 1, 'float32', 7) as tf.Tensor3D;
      const byHand = (x: tf.Tensor) => {
        let h = tf.zeros([2, 2]) as tf.Tensor2D;
        const ys: tf.Tensor[] = [];
        for (let t = 0; t < T; t++) {
          [h] = cell.step({ h }, tf.reshape(tf.slice(x, [t, 0, 0], [1, -1, -1]), [2, 3]) as tf.Tensor2D);
          ys.push(h);
        }
        return tf.stack(ys);
      };
      const [ys, s] = unrollSteps(cell, cell.initialState(2), xs);
      const ref = byHand(xs);
      expectClose(ys, ref, 1e-6, 0, 'ys');
      expectClose(s.h, tf.slice(ref, [T - 1, 0, 0], [1, -1, -1]), 1e-6, 0, 'final h');
      const w = tf.randomNormal([T, 2, 2], 0, 1, 'float32', 3);
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(runCellSequence(cell, cell.initialState(2), x as tf.Tensor3D)[0], w)))(xs);
      const gRef = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(byHand(x), w)))(xs);
      expect(g.shape).toEqual([T, 2, 3]);
      expectClose(g, gRef, 1e-6, 0, 'dxs');
      await expectNoLeaks(() => tf.dispose(tf.grad((x: tf.Tensor) => tf.sum(unrollSteps(cell, cell.initialState(2), x as tf.Tensor3D)[0]))(xs)));
      tf.dispose([ys, s.h, ref, w, g, gRef, xs]);
      cell.dispose();
    });
  }
});
