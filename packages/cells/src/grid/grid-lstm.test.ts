// Goldens: tools/goldens/more_cells.py (a transcription of Kalchbrenner et al. 2016, eqs. 1–2, in PyTorch).
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { gradCheck } from '@rxrnn/testing';
import { gridLstmCell, type GridLstmCellOptions } from './grid-lstm-cell.js';
import { gridLstm } from './grid-lstm.js';
import { lstmCell } from '../lstm/lstm-cell.js';
import { loadMoreCells, goldenWeights, expectGoldenParity, expectOperatorNoLeaks, sequenceLoss, smallInputs, expectRegistryRoundTrip } from '../../test/more-cells-golden.js';

describe('gridLstm', () => {
  it('matches the PyTorch transcription of the paper (N = 3 blocks of depth), step by step', async () => {
    const g = loadMoreCells('grid-lstm');
    const cell = gridLstmCell({ ...(g.config.options as unknown as GridLstmCellOptions), weights: goldenWeights(g) });
    await expectGoldenParity(g, cell, gridLstm as never);
    cell.dispose();
  });

  it('gradients match finite differences', () => {
    const xs = smallInputs(2, 2, 2);
    const cell = gridLstmCell({ inputSize: 2, hiddenSize: 2, layers: 2, seed: 3 });
    const report = gradCheck(sequenceLoss(cell, xs), cell.params as Record<string, tf.Variable>, { maxPerVariable: 12 });
    expect(report.checked).toBeGreaterThan(50);
    cell.dispose();
    xs.forEach((x) => x.dispose());
  });

  it('keeps one (h, m) pair per depth block in the state and reports depth vectors as extras', () => {
    const cell = gridLstmCell({ inputSize: 2, hiddenSize: 3, layers: 2 });
    tf.tidy(() => {
      const s = cell.initialState(2);
      expect(Object.keys(s).sort()).toEqual(['0.h', '0.m', '1.h', '1.m']);
      const [y, next, ex] = cell.step(s, tf.ones([2, 2]) as tf.Tensor2D, { extras: true });
      expect(y.shape).toEqual([2, 3]);
      expect(Object.keys(next).sort()).toEqual(['0.h', '0.m', '1.h', '1.m']);
      expect(Object.keys(ex ?? {}).sort()).toEqual(['0.depth.h', '0.depth.m', '1.depth.h', '1.depth.m']);
      expect(ex!['1.depth.h'].dataSync()).toEqual(y.dataSync());
    });
    cell.dispose();
  });

  it('round-trips through the cell registry', async () => {
    const cell = gridLstmCell({ inputSize: 2, hiddenSize: 3, layers: 2, seed: 1 });
    await expectRegistryRoundTrip(cell, [[0.5, -1]]);
    cell.dispose();
  });

  it('leaks nothing on complete, error and unsubscribe', async () => {
    const cell = gridLstmCell({ inputSize: 3, hiddenSize: 2, layers: 2 });
    await expectOperatorNoLeaks(cell, gridLstm as never, [0.1, 0.2, -0.3]);
    cell.dispose();
  });

  it('rejects bad options and cells with clear errors', () => {
    const before = tf.memory().numTensors; // errors leave nothing allocated
    expect(() => gridLstmCell({ inputSize: 2, hiddenSize: 2, layers: 1.5 })).toThrow(/gridLstmCell: options.layers: expected a positive integer, received number 1.5/);
    expect(() => gridLstmCell({ inputSize: 2, hiddenSize: 2, forgetBias: NaN })).toThrow(/gridLstmCell: options.forgetBias: expected a finite number/);
    expect(() => gridLstmCell({ inputSize: 2, hiddenSize: 2, layers: 1, weights: { 'layers.0.time.kernel': { shape: [2, 8], data: new Float32Array(16) } } })).toThrow(/weights.layers.0.time.kernel: expected shape \[4, 8\]/);
    const l = lstmCell({ inputSize: 2, hiddenSize: 2 });
    expect(() => gridLstm(l as never)).toThrow(/gridLstm: cell: expected a cell of kind 'grid-lstm', received a 'lstm' cell/);
    l.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
