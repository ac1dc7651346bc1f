import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRng, defineCell } from '@rxrnn/core';
import { expectClose } from '@rxrnn/testing';
import { copyBatch, copyTask, copyInputSize } from './copy-task.js';
import { repeatCopyBatch, repeatCopyTask, repeatCopySizes } from './repeat-copy-task.js';
import { associativeRecallBatch, associativeRecallTask, associativeRecallSizes } from './associative-recall-task.js';
import { bitCrossEntropy } from './bit-loss.js';
import { scoreBits, poolScores } from './evaluate-bits.js';

describe('copy task', () => {
  it('lays out L vectors, the delimiter, then the target after it (Graves et al. §4.1)', () => {
    const L = 5;
    const b = copyBatch(createRng(1), 3, L);
    expect([b.T, b.B, b.X, b.K, b.lossFrom]).toEqual([2 * L + 1, 3, 9, 8, L + 1]);
    const x = (t: number, r: number) => Array.from(b.inputs.subarray((t * 3 + r) * 9, (t * 3 + r + 1) * 9));
    const y = (t: number, r: number) => Array.from(b.targets.subarray((t * 3 + r) * 8, (t * 3 + r + 1) * 8));
    for (let r = 0; r < 3; r++) {
      for (let t = 0; t < L; t++) {
        expect(x(t, r)[8]).toBe(0); // no delimiter during the input
        expect(y(L + 1 + t, r)).toEqual(x(t, r).slice(0, 8)); // the copy
        expect(y(t, r).every((v) => v === 0)).toBe(true); // nothing scored before the delimiter
      }
      expect(x(L, r)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1]);
      for (let t = L + 1; t <= 2 * L; t++) expect(x(t, r).every((v) => v === 0)).toBe(true); // no input while recalling
    }
    const bits = Array.from(b.inputs).filter((_, i) => i % 9 !== 8);
    expect(bits.every((v) => v === 0 || v === 1)).toBe(true);
    const ones = bits.reduce((a, v) => a + v, 0) / (L * 3 * 8);
    expect(ones).toBeGreaterThan(0.3);
    expect(ones).toBeLessThan(0.7);
    expect(copyInputSize()).toBe(9);
  });

  it('is reproducible by (seed, index), lengths within the range', () => {
    const a = copyTask(7, { batch: 4, minLength: 1, maxLength: 20 });
    const b = copyTask(7, { batch: 4, minLength: 1, maxLength: 20 });
    expect(a(3).inputs).toEqual(b(3).inputs);
    expect(a(3).inputs).not.toEqual(a(4).inputs);
    const lengths = Array.from({ length: 200 }, (_, i) => a(i).length);
    expect(Math.min(...lengths)).toBe(1);
    expect(Math.max(...lengths)).toBe(20);
  });

  it('rejects bad sizes with typed errors', () => {
    expect(() => copyBatch(createRng(1), 0, 3)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'batch' }));
    expect(() => copyBatch(createRng(1), 2, 1.5)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'length' }));
    expect(() => copyTask(1, { batch: 2, minLength: 5, maxLength: 4 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'options.maxLength' }));
  });
});

describe('bit loss and scoring', () => {
  it('bitCrossEntropy is −Σ [t log σ(y) + (1 − t) log(1 − σ(y))] per row, stable for large |y|', () => {
    tf.tidy(() => {
      const y = tf.tensor2d([[0.3, -2, 5], [40, -40, 0]]);
      const t = tf.tensor2d([[1, 0, 0], [1, 1, 0]]);
      const p = tf.sigmoid(tf.tensor2d([[0.3, -2, 5], [0, 0, 0]]));
      const direct = tf.neg(tf.sum(tf.add(tf.mul(t, tf.log(p)), tf.mul(tf.sub(1, t), tf.log(tf.sub(1, p)))), 1)).dataSync()[0];
      const l = bitCrossEntropy(y, t).dataSync();
      expectClose([l[0]], [direct], 1e-5, 0, 'row 0');
      expect(l[1]).toBeCloseTo(40 + Math.LN2, 4); // log(1 + e^-40) + 40 + log 2, no overflow
    });
    expect(() => bitCrossEntropy(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([2, 2]))).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
  });

  it('scores a model that always says 0 (logit 0): 1 bit per scored bit, errors = the ones', () => {
    const cell = defineCell({ kind: 'zero', inputSize: 9, outputSize: 8, config: {}, params: { w: { shape: [1], data: new Float32Array(1) } }, initialState: () => ({}), step: (_p, s, x) => [tf.zeros([x.shape[0], 8]) as tf.Tensor2D, s] });
    const b = copyBatch(createRng(2), 4, 6);
    const before = tf.memory().numTensors;
    const s = scoreBits(cell, b);
    expect(tf.memory().numTensors).toBe(before);
    const ones = Array.from(b.targets).reduce((a, v) => a + v, 0);
    expect(s.bitsPerSequence).toBeCloseTo(6 * 8, 4);
    expect(s.bitErrorsPerSequence).toBeCloseTo(ones / 4, 6);
    expect(s.perfect).toBe(0);
    const pooled = poolScores([s, { sequences: 4, bitsPerSequence: 0, bitErrorsPerSequence: 0, perfect: 1 }]);
    expect(pooled).toEqual({ sequences: 8, bitsPerSequence: s.bitsPerSequence / 2, bitErrorsPerSequence: s.bitErrorsPerSequence / 2, perfect: 0.5 });
    cell.dispose();
  });
});

describe('repeat copy task', () => {
  it('lays out the vectors, the delimiter, the normalised count, R copies and the end marker (Graves et al. §4.2)', () => {
    const L = 3;
    const R = 4;
    const b = repeatCopyBatch(createRng(5), 2, L, R);
    expect([b.T, b.X, b.K, b.lossFrom]).toEqual([L * (R + 1) + 3, 10, 9, L + 2]);
    const x = (t: number, r: number) => Array.from(b.inputs.subarray((t * 2 + r) * 10, (t * 2 + r + 1) * 10));
    const y = (t: number, r: number) => Array.from(b.targets.subarray((t * 2 + r) * 9, (t * 2 + r + 1) * 9));
    for (let r = 0; r < 2; r++) {
      for (let k = 0; k < R; k++) for (let t = 0; t < L; t++) expect(y(L + 2 + k * L + t, r)).toEqual([...x(t, r).slice(0, 8), 0]);
      expect(x(L, r)[8]).toBe(1);
      expect(x(L + 1, r)[9]).toBeCloseTo((R - 5.5) / Math.sqrt(99 / 12), 6);
      expect(y(b.T - 1, r)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1]);
      for (let t = 0; t < L + 2; t++) expect(y(t, r).every((v) => v === 0)).toBe(true);
    }
    expect(repeatCopySizes()).toEqual({ inputSize: 10, outputSize: 9 });
  });

  it('is reproducible and draws lengths and repeats in range; rejects bad sizes', () => {
    const a = repeatCopyTask(3, { batch: 2 });
    expect(a(5).inputs).toEqual(repeatCopyTask(3, { batch: 2 })(5).inputs);
    const drawn = Array.from({ length: 300 }, (_, i) => a(i));
    expect(Math.max(...drawn.map((d) => d.length))).toBe(10);
    expect(Math.min(...drawn.map((d) => d.repeats))).toBe(1);
    expect(Math.max(...drawn.map((d) => d.repeats))).toBe(10);
    expect(() => repeatCopyBatch(createRng(1), 1, 2, 0)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'repeats' }));
  });
});

describe('associative recall task', () => {
  it('lays out delimited items, the query between query delimiters, and targets the next item (Graves et al. §4.3)', () => {
    const n = 4;
    const B = 5;
    const b = associativeRecallBatch(createRng(8), B, n);
    expect([b.T, b.X, b.K, b.lossFrom]).toEqual([4 * n + 8, 8, 6, 4 * n + 5]);
    const x = (t: number, r: number) => Array.from(b.inputs.subarray((t * B + r) * 8, (t * B + r + 1) * 8));
    const y = (t: number, r: number) => Array.from(b.targets.subarray((t * B + r) * 6, (t * B + r + 1) * 6));
    const item = (i: number, r: number) => [1, 2, 3].map((v) => x(i * 4 + v, r).slice(0, 6));
    for (let r = 0; r < B; r++) {
      for (let i = 0; i < n; i++) expect(x(i * 4, r)).toEqual([0, 0, 0, 0, 0, 0, 1, 0]);
      expect(x(4 * n, r)[7]).toBe(1);
      expect(x(4 * n + 4, r)[7]).toBe(1);
      const query = [1, 2, 3].map((v) => x(4 * n + v, r).slice(0, 6));
      const q = [...Array(n - 1).keys()].find((i) => JSON.stringify(item(i, r)) === JSON.stringify(query));
      expect(q).toBeDefined();
      expect([0, 1, 2].map((v) => y(b.lossFrom + v, r))).toEqual(item(q! + 1, r));
    }
    expect(associativeRecallSizes()).toEqual({ inputSize: 8, outputSize: 6 });
    expect(() => associativeRecallBatch(createRng(1), 1, 1)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', arg: 'items' }));
    const task = associativeRecallTask(2, { batch: 1 });
    const ns = Array.from({ length: 100 }, (_, i) => task(i).length);
    expect([Math.min(...ns), Math.max(...ns)]).toEqual([2, 6]);
  });
});
