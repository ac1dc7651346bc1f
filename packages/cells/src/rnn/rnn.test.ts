import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { from, Subject, concat, of, throwError } from 'rxjs';
import { readRows, activationNames, heaviside } from '@rxrnn/core';
import { expectNoLeaks, collect, gradCheck } from '@rxrnn/testing';
import { rnnCell, rnn } from '../index.js';

function seqLoss(cell: ReturnType<typeof rnnCell>, xs: tf.Tensor2D[]) {
  return () =>
    tf.tidy(() => {
      let s = cell.initialState(xs[0].shape[0]);
      let total = tf.scalar(0);
      for (const x of xs) {
        const [y, next] = cell.step(s, x);
        s = next;
        total = tf.add(total, tf.sum(tf.mul(y, tf.range(1, y.shape[1] + 1))));
      }
      return total as tf.Scalar;
    });
}

describe('rnn', () => {
  it('computes h_t = φ(x W + h U + b) by hand for a 1-unit RNN', async () => {
    const cell = rnnCell({
      inputSize: 1,
      hiddenSize: 1,
      weights: { kernel: { shape: [1, 1], data: new Float32Array([2]) }, recurrentKernel: { shape: [1, 1], data: new Float32Array([0.5]) }, bias: { shape: [1], data: new Float32Array([-1]) } },
    });
    const out = await collect(from([[1], [0], [2]]).pipe(rnn(cell), readRows()));
    const h1 = Math.tanh(2 - 1);
    const h2 = Math.tanh(0.5 * h1 - 1);
    const h3 = Math.tanh(4 + 0.5 * h2 - 1);
    expect(out.map((r) => r[0][0])).toEqual([h1, h2, h3].map((v) => expect.closeTo(v, 6)));
    cell.dispose();
  });

  it('supports every activation of the lecture; the step RNN is binary', async () => {
    for (const activation of activationNames) {
      const cell = rnnCell({ inputSize: 2, hiddenSize: 3, activation, seed: 5 });
      const out = await expectNoLeaks(() => collect(from([[1, -1], [0.5, 2]]).pipe(rnn(cell), readRows())), activation);
      expect(out[1][0].length).toBe(3);
      if (activation === 'step') for (const v of out.flat(2)) expect([0, 1]).toContain(v);
      if (activation === 'hardSigmoid' || activation === 'sigmoid') for (const v of out.flat(2)) expect(v >= 0 && v <= 1).toBe(true);
      cell.dispose();
    }
  });

  it('gradients match finite differences for smooth φ (tanh, sigmoid, softsign) and IRNN relu', () => {
    const xs = [tf.tensor2d([[0.3, -0.4], [0.8, 0.1]]), tf.tensor2d([[-0.6, 0.5], [0.2, -0.9]]), tf.tensor2d([[0.1, 0.2], [0.3, 0.4]])];
    for (const activation of ['tanh', 'sigmoid', 'softsign'] as const) {
      const cell = rnnCell({ inputSize: 2, hiddenSize: 3, activation, seed: 11 });
      expect(gradCheck(seqLoss(cell, xs), cell.params as Record<string, tf.Variable>).checked).toBeGreaterThan(10);
      cell.dispose();
    }
    const irnn = rnnCell({ inputSize: 2, hiddenSize: 3, activation: 'relu', init: 'irnn', seed: 2 });
    expect(Array.from(irnn.params.recurrentKernel.dataSync())).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    gradCheck(seqLoss(irnn, xs), irnn.params as Record<string, tf.Variable>, { h: 1e-3 });
    irnn.dispose();
    xs.forEach((x) => x.dispose());
  });

  it('the Heaviside step trains through its surrogate gradient σ(x)(1−σ(x))', () => {
    const x = tf.tensor1d([-2, 0.5, 3]);
    expect(Array.from(heaviside(x).dataSync())).toEqual([0, 1, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(heaviside(t)))(x);
    const s = [-2, 0.5, 3].map((v) => 1 / (1 + Math.exp(-v)));
    expect(Array.from(g.dataSync())).toEqual(s.map((v) => expect.closeTo(v * (1 - v), 6)));
    x.dispose();
    g.dispose();
  });

  it('leaks nothing on complete, error and unsubscribe', async () => {
    const cell = rnnCell({ inputSize: 2, hiddenSize: 3 });
    await expectNoLeaks(() => collect(from([[1, 2], [3, 4]]).pipe(rnn(cell), readRows())));
    await expectNoLeaks(() => expect(collect(concat(of([1, 2]), throwError(() => new Error('e'))).pipe(rnn(cell), readRows()))).rejects.toThrow('e'));
    await expectNoLeaks(() => {
      const s = new Subject<number[]>();
      const sub = s.pipe(rnn(cell), readRows()).subscribe();
      s.next([1, 1]);
      sub.unsubscribe();
    });
    cell.dispose();
  });

  it('rejects bad options with named errors, allocating nothing', async () => {
    await expectNoLeaks(() => {
      expect(() => rnnCell({ inputSize: 0, hiddenSize: 3 })).toThrow(/rnnCell: options.inputSize: expected a positive integer, received number 0/);
      expect(() => rnnCell({ inputSize: 2, hiddenSize: 3, activation: 'swish' as never })).toThrow(/rnnCell: options.activation: expected one of step, hardSigmoid/);
      expect(() => rnnCell({ inputSize: 2, hiddenSize: 3, weights: { kernal: { shape: [2, 3], data: new Float32Array(6) } } })).toThrow(/weights.kernal: expected one of kernel, recurrentKernel, bias/);
      expect(() => rnnCell({ inputSize: 2, hiddenSize: 3, weights: { kernel: { shape: [3, 2], data: new Float32Array(6) } } })).toThrow(/rnnCell: weights.kernel: expected shape \[2, 3\], received shape \[3, 2\]/);
    });
  });
});
