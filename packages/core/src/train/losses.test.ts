// The fused softmaxCrossEntropy against the same loss written with tfjs ops (logSoftmax · oneHot),
// values and gradients, on the backend the suite runs on.
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.js';
import { softmaxCrossEntropy } from './losses.js';

const reference = (y: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor1D =>
  tf.neg(tf.sum(tf.mul(tf.logSoftmax(y), tf.oneHot(tf.cast(ids, 'int32') as tf.Tensor1D, y.shape[1])), 1)) as tf.Tensor1D;

describe('softmaxCrossEntropy', () => {
  beforeAll(async () => {
    await initBackend({ log: null });
  });

  it('matches logSoftmax · oneHot in value and gradient (int32 and float ids, large logits, a padding id)', () => {
    const [B, V] = [7, 13];
    const y = tf.tidy(() => tf.mul(tf.randomNormal([B, V], 0, 1, 'float32', 5), tf.linspace(1, 40, V))) as tf.Tensor2D;
    const idsData = [0, 12, 5, 5, 3, 11, 40]; // 40: out of range → loss 0, no gradient
    const w = tf.tensor1d([0.3, -1.2, 2, 0.5, 1, 0.7, 4]); // weights make dy differ per row
    for (const ids of [tf.tensor1d(idsData, 'int32'), tf.tensor1d(idsData, 'float32')]) {
      const before = tf.memory().numTensors;
      const mine = tf.tidy(() => {
        const [l, g] = [softmaxCrossEntropy(y, ids), tf.grad((x: tf.Tensor) => tf.sum(tf.mul(softmaxCrossEntropy(x as tf.Tensor2D, ids), w)))(y)];
        return [l.arraySync() as number[], g.arraySync() as number[][]] as const;
      });
      expect(tf.memory().numTensors).toBe(before);
      const ref = tf.tidy(() => {
        const [l, g] = [reference(y, ids), tf.grad((x: tf.Tensor) => tf.sum(tf.mul(reference(x as tf.Tensor2D, ids), w)))(y)];
        return [l.arraySync() as number[], g.arraySync() as number[][]] as const;
      });
      expect(mine[0][6]).toBe(0);
      expect(mine[1][6].every((v) => v === 0)).toBe(true);
      mine[0].forEach((v, i) => expect(v).toBeCloseTo(ref[0][i], 4));
      mine[1].forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(ref[1][i][j], 5)));
      ids.dispose();
    }
    tf.dispose([y, w]);
  });

  it('names the argument when target has the wrong size', () => {
    const y = tf.zeros([3, 4]) as tf.Tensor2D;
    const t = tf.tensor1d([1, 2], 'int32');
    expect(() => softmaxCrossEntropy(y, t)).toThrow(/softmaxCrossEntropy.*target.*3 class ids/);
    tf.dispose([y, t]);
  });
});

describe('softmaxCrossEntropy with a plugged-in exp', () => {
  it('uses the exp given to setExpKernel, and Math.exp when it declines or is removed', async () => {
    const { setExpKernel } = await import('./losses.js');
    const y = tf.tensor2d([[1, 2, 3], [0, -50, 4]]);
    const ids = tf.tensor1d([2, 0], 'int32');
    const plain = softmaxCrossEntropy(y, ids);
    let calls = 0;
    try {
      setExpKernel((a) => {
        calls++;
        for (let i = 0; i < a.length; i++) a[i] = Math.exp(a[i]);
        return true;
      });
      const lent = softmaxCrossEntropy(y, ids);
      expect(calls).toBe(1);
      expect(Array.from(lent.dataSync())).toEqual(Array.from(plain.dataSync()));
      setExpKernel(() => false);
      const declined = softmaxCrossEntropy(y, ids);
      expect(Array.from(declined.dataSync())).toEqual(Array.from(plain.dataSync()));
      tf.dispose([lent, declined]);
    } finally {
      setExpKernel(null);
    }
    tf.dispose([y, ids, plain]);
  });
});
