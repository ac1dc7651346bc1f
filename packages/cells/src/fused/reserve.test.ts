// The reserve space a sequence forward leaves in kernel memory for its backward: handed back after
// the backward (the lstm, gru and rnn sequence ops and the dense layer's affine, both runtimes).
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { kernels, kernelsInfo, affine } from '@rxrnn/kernels';
import { lstmSequence, gruSequence, rnnSequence } from '../index.js';

const backends = kernelsInfo({ native: true })?.backend === 'native' ? [true, false] : [false];

describe.each(backends)('Reserve (native: %s)', (native) => {
  const on = { kernels: { native } }; // the runtime every op runs on

  it('a sequence op’s forward keeps its activations in kernel memory until its backward has run', () => {
    const [T, B, X, H] = [5, 3, 4, 6];
    const x = tf.randomNormal([T, B, X], 0, 1, 'float32', 1) as tf.Tensor3D;
    const lstm = { kernel: tf.variable(tf.randomNormal([X, 4 * H], 0, 0.3, 'float32', 2)), recurrentKernel: tf.variable(tf.randomNormal([H, 4 * H], 0, 0.3, 'float32', 3)), bias: tf.variable(tf.zeros([4 * H])) };
    const gru = { kernel: tf.variable(tf.randomNormal([X, 3 * H], 0, 0.3, 'float32', 4)), recurrentKernel: tf.variable(tf.randomNormal([H, 3 * H], 0, 0.3, 'float32', 5)), bias: tf.variable(tf.zeros([3 * H])) };
    const rnn = { kernel: tf.variable(tf.randomNormal([X, H], 0, 0.3, 'float32', 6)), recurrentKernel: tf.variable(tf.randomNormal([H, H], 0, 0.3, 'float32', 7)), bias: tf.variable(tf.zeros([H])) };
    const dense = { kernel: tf.variable(tf.randomNormal([X, 7], 0, 0.3, 'float32', 8)), bias: tf.variable(tf.zeros([7])) };
    const x2 = tf.reshape(x, [T * B, X]) as tf.Tensor2D;
    const rt = kernels(on.kernels)!;
    // [name, run, floats the forward keeps at least]
    const runs: [string, () => tf.Tensor, number][] = [
      ['lstm', () => lstmSequence(lstm, x, undefined, undefined, on).ys, T * B * (X + H)], // x and hs at least
      ['gru', () => gruSequence(gru, x, undefined, on).ys, T * B * (X + H)],
      ['rnn', () => rnnSequence(rnn, x, undefined, on).ys, T * B * (X + H)],
      ['affine', () => affine(x2, dense.kernel as tf.Tensor2D, dense.bias as tf.Tensor1D, on), T * B * X], // x, for dW = xᵀ dy
    ];
    for (const [name, run, kept] of runs) {
      tf.dispose(tf.variableGrads(() => tf.sum(run()) as tf.Scalar).grads); // residents and transposes exist now
      const bytes = rt.bytesInUse();
      let during = 0;
      const { grads } = tf.variableGrads(() => {
        const y = tf.sum(run()) as tf.Scalar;
        during = rt.bytesInUse();
        return y;
      });
      expect(during, name).toBeGreaterThanOrEqual(bytes + 4 * kept);
      expect(rt.bytesInUse(), name).toBe(bytes);
      tf.dispose(grads);
    }
    tf.dispose([x, x2, ...Object.values(lstm), ...Object.values(gru), ...Object.values(rnn), ...Object.values(dense)]);
  });
});
