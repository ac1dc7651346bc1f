// Goldens: tools/goldens/more_cells.py (a transcription of Jozefowicz et al. 2015 in PyTorch).
import { describe, it, expect } from 'vitest';
import { gradCheck } from '@rxrnn/testing';
import { mutCell } from './mut-cell.js';
import { mut } from './mut.js';
import { MUT_VARIANTS } from './mut-step.js';
import { lstmCell } from '../lstm/lstm-cell.js';
import { loadMoreCells, goldenWeights, expectGoldenParity, expectOperatorNoLeaks, sequenceLoss, smallInputs, expectRegistryRoundTrip } from '../../test/more-cells-golden.js';
import * as tf from '@tensorflow/tfjs';

describe('mut', () => {
  for (const variant of MUT_VARIANTS) {
    it(`${variant} matches the PyTorch transcription of the paper, step by step`, async () => {
      const g = loadMoreCells(variant.toLowerCase());
      const cell = mutCell({ ...(g.config.options as { inputSize: number; hiddenSize: number }), variant, weights: goldenWeights(g) });
      await expectGoldenParity(g, cell, mut as never);
      cell.dispose();
    });

    it(`${variant} gradients match finite differences`, () => {
      const X = variant === 'MUT3' ? 2 : 3;
      const cell = mutCell({ variant, inputSize: X, hiddenSize: 3, seed: 5 });
      const xs = smallInputs(3, 2, X);
      const report = gradCheck(sequenceLoss(cell, xs), cell.params as Record<string, tf.Variable>);
      expect(report.checked).toBeGreaterThan(30);
      xs.forEach((x) => x.dispose());
      cell.dispose();
    });
  }

  it('round-trips through the cell registry', async () => {
    for (const variant of MUT_VARIANTS) {
      const cell = mutCell({ variant, inputSize: 3, hiddenSize: 3, seed: 2 });
      await expectRegistryRoundTrip(cell, [[0.1, -0.2, 0.3], [1, 0, -1]]);
      cell.dispose();
    }
  });

  it('leaks nothing on complete, error and unsubscribe', async () => {
    for (const variant of MUT_VARIANTS) {
      const cell = mutCell({ variant, inputSize: 3, hiddenSize: 3, seed: 1 });
      await expectOperatorNoLeaks(cell, mut as never, [0.5, -1, 0.25]);
      cell.dispose();
    }
  });

  it('rejects bad options with clear errors', () => {
    const before = tf.memory().numTensors; // errors leave nothing allocated
    expect(() => mutCell({ variant: 'MUT4' as never, inputSize: 2, hiddenSize: 2 })).toThrow(/mutCell: options.variant: expected 'MUT1', 'MUT2' or 'MUT3', received the string "MUT4"/);
    expect(() => mutCell({ variant: 'MUT1', inputSize: 3, hiddenSize: 4 })).toThrow(/mutCell: options.inputSize: expected 4 \(= hiddenSize/);
    expect(() => mutCell({ variant: 'MUT2', inputSize: 3, hiddenSize: 4 })).toThrow(/mutCell: options.inputSize: expected 4 \(= hiddenSize: MUT2 adds the input/);
    expect(() => mutCell({ variant: 'MUT3', inputSize: 0, hiddenSize: 4 })).toThrow(/mutCell: options.inputSize: expected a positive integer/);
    expect(() => mutCell({ variant: 'MUT3', inputSize: 2, hiddenSize: 2, weights: { kernel: { shape: [2, 4], data: new Float32Array(8) } } })).toThrow(/weights.kernel: expected shape \[2, 6\]/);
    expect(() => mutCell({ variant: 'MUT1', inputSize: 2, hiddenSize: 2, weights: { updateKernel: { shape: [2, 2], data: new Float32Array(4) } } })).toThrow(/mutCell: weights.updateKernel: expected one of kernel, resetKernel, candidateKernel, bias, received unknown name "updateKernel"/);
    const l = lstmCell({ inputSize: 2, hiddenSize: 2 });
    expect(() => mut(l as never)).toThrow(/mut: cell: expected a cell of kind 'mut', received a 'lstm' cell/);
    l.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
