import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { expectNoLeaks } from '@rxrnn/testing';
import { additiveAttention } from './additive.js';
import { initialCoverage, accumulateCoverage, coverageLoss } from './coverage.js';

describe('coverage (Tu et al. 2016; See et al. 2017)', () => {
  it('accumulates past alignments and feeds them back as a feature over a decode', async () => {
    const att = additiveAttention({ querySize: 3, keySize: 4, units: 5, coverage: true, seed: 1, weights: { coverage_kernel: { shape: [5], data: Float32Array.from([1, -1, 2, 0.5, -0.5]) } } });
    await expectNoLeaks(() => {
      const keys = tf.randomNormal([2, 6, 4], 0, 1, 'float32', 3) as tf.Tensor3D;
      const mask = tf.tensor2d([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]]);
      const memory = att.precompute(keys);
      let coverage = initialCoverage(2, 6);
      const sums: number[][] = [];
      let loss = 0;
      for (let i = 0; i < 4; i++) {
        const q = tf.randomNormal([2, 3], 0, 1, 'float32', 10 + i) as tf.Tensor2D;
        const { context, alignment } = att.attend(q, memory, { mask, coverage });
        const l = coverageLoss(alignment, coverage);
        loss += l.dataSync()[0];
        const next = accumulateCoverage(coverage, alignment);
        tf.dispose([coverage, q, context, alignment, l]);
        coverage = next;
        sums.push(tf.tidy(() => Array.from(coverage.sum(-1).dataSync())));
      }
      expect(sums[3][0]).toBeCloseTo(4, 5); // Σ_j c_j = number of steps taken
      expect(sums[3][1]).toBeCloseTo(4, 5);
      expect(coverage.arraySync()[1].slice(4)).toEqual([0, 0]); // padding never covered
      expect(loss).toBeGreaterThan(0);
      tf.dispose([coverage, keys, mask]);
      memory.dispose();
    }, 'coverage decode');
    att.dispose();
  });

  it('coverageLoss is Σ_j min(α_j, c_j), averaged over the batch', () => {
    tf.tidy(() => {
      const a = tf.tensor2d([[0.5, 0.5, 0], [1, 0, 0]]);
      const c = tf.tensor2d([[0.2, 1, 3], [0.5, 0.5, 0]]);
      expect(coverageLoss(a, c).dataSync()[0]).toBeCloseTo((0.2 + 0.5 + 0.5) / 2, 6);
    });
  });
});
