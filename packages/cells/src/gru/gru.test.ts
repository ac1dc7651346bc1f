import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { from, Subject, concat, of, throwError } from 'rxjs';
import { readRows } from '@rxrnn/core';
import { expectNoLeaks, collect, gradCheck } from '@rxrnn/testing';
import { gruCell, gru } from '../index.js';

describe('gru', () => {
  it('computes both forms by hand for a 1-unit GRU', async () => {
    // kernel [1, 3] = r, z, n; recurrent [1, 3]; biases.
    const w = { kernel: [0.5, -0.3, 0.8], rec: [0.2, 0.4, -0.6], b: [0.1, -0.2, 0.05], rb: [0.3, 0.1, -0.4] };
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const mk = (resetAfter: boolean) =>
      gruCell({
        inputSize: 1,
        hiddenSize: 1,
        resetAfter,
        weights: {
          kernel: { shape: [1, 3], data: new Float32Array(w.kernel) },
          recurrentKernel: { shape: [1, 3], data: new Float32Array(w.rec) },
          bias: { shape: [3], data: new Float32Array(w.b) },
          ...(resetAfter ? { recurrentBias: { shape: [3], data: new Float32Array(w.rb) } } : {}),
        },
      });
    for (const resetAfter of [true, false]) {
      const cell = mk(resetAfter);
      const xs = [1, -2, 0.5];
      const out = await collect(from(xs.map((x) => [x])).pipe(gru(cell), readRows()));
      let h = 0;
      const want = xs.map((x) => {
        const rb = resetAfter ? w.rb : [0, 0, 0];
        const r = sig(x * w.kernel[0] + w.b[0] + h * w.rec[0] + rb[0]);
        const z = sig(x * w.kernel[1] + w.b[1] + h * w.rec[1] + rb[1]);
        const n = resetAfter ? Math.tanh(x * w.kernel[2] + w.b[2] + r * (h * w.rec[2] + rb[2])) : Math.tanh(x * w.kernel[2] + w.b[2] + r * h * w.rec[2]);
        h = (1 - z) * n + z * h;
        return h;
      });
      expect(out.map((r) => r[0][0])).toEqual(want.map((v) => expect.closeTo(v, 6)));
      cell.dispose();
    }
  });

  it('gradients match finite differences in both forms', () => {
    const xs = [tf.tensor2d([[0.3, -0.4], [0.8, 0.1]]), tf.tensor2d([[-0.6, 0.5], [0.2, -0.9]])];
    for (const resetAfter of [true, false]) {
      const cell = gruCell({ inputSize: 2, hiddenSize: 3, resetAfter, init: 'uniform', seed: 4 });
      const loss = () =>
        tf.tidy(() => {
          let s = cell.initialState(2);
          let total = tf.scalar(0);
          for (const x of xs) {
            const [y, next] = cell.step(s, x);
            s = next;
            total = tf.add(total, tf.sum(tf.mul(y, y)));
          }
          return total as tf.Scalar;
        });
      expect(gradCheck(loss, cell.params as Record<string, tf.Variable>).checked).toBeGreaterThan(20);
      cell.dispose();
    }
    xs.forEach((x) => x.dispose());
  });

  it('emits gates r, z, n as extras, and leaks nothing on complete, error, unsubscribe', async () => {
    const cell = gruCell({ inputSize: 2, hiddenSize: 3 });
    await expectNoLeaks(async () => {
      const steps = await collect(from([[1, 2]]).pipe(gru(cell, { emit: 'step', extras: true })));
      expect(Object.keys(steps[0].extras!).sort()).toEqual(['n', 'r', 'z']);
      steps[0].y.dispose();
      Object.values(steps[0].extras!).forEach((t) => t.dispose());
    });
    await expectNoLeaks(() => expect(collect(concat(of([1, 2]), throwError(() => new Error('e'))).pipe(gru(cell), readRows()))).rejects.toThrow('e'));
    await expectNoLeaks(() => {
      const s = new Subject<number[]>();
      const sub = s.pipe(gru(cell), readRows()).subscribe();
      s.next([1, 1]);
      sub.unsubscribe();
    });
    expect(() => gruCell({ inputSize: 2, hiddenSize: 2, resetAfter: false, weights: { recurrentBias: { shape: [6], data: new Float32Array(6) } } })).toThrow(
      /gruCell: weights.recurrentBias: expected one of kernel, recurrentKernel, bias, received unknown name/,
    );
    cell.dispose();
  });
});
