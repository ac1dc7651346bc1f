// Goldens: tools/goldens/more_cells.py (a transcription of Zilly et al. 2017, eqs. 6–9, in PyTorch).
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { gradCheck } from '@rxrnn/testing';
import { rhnCell, type RhnCellOptions } from './rhn-cell.js';
import { rhn } from './rhn.js';
import { rnnCell } from '../rnn/rnn-cell.js';
import { loadMoreCells, goldenWeights, expectGoldenParity, expectOperatorNoLeaks, sequenceLoss, smallInputs, expectRegistryRoundTrip } from '../../test/more-cells-golden.js';

describe('rhn', () => {
  for (const name of ['rhn-coupled', 'rhn-uncoupled']) {
    it(`${name} matches the PyTorch transcription of the paper, step by step`, async () => {
      const g = loadMoreCells(name);
      const cell = rhnCell({ ...(g.config.options as unknown as RhnCellOptions), weights: goldenWeights(g) });
      await expectGoldenParity(g, cell, rhn as never);
      cell.dispose();
    });
  }

  it('gradients match finite differences (coupled and not)', () => {
    const xs = smallInputs(3, 2, 2);
    for (const coupled of [true, false]) {
      const cell = rhnCell({ inputSize: 2, hiddenSize: 3, depth: 2, coupled, transformBias: 0, seed: 7 });
      const report = gradCheck(sequenceLoss(cell, xs), cell.params as Record<string, tf.Variable>);
      expect(report.checked).toBeGreaterThan(40);
      cell.dispose();
    }
    xs.forEach((x) => x.dispose());
  });

  it('reports per-layer gates as extras; a coupled carry gate is 1 − t', async () => {
    const cell = rhnCell({ inputSize: 2, hiddenSize: 3, depth: 2, seed: 1 });
    const params = Object.keys(cell.params).sort();
    expect(params).toEqual(['kernel', 'layers.0.bias', 'layers.0.recurrentKernel', 'layers.1.bias', 'layers.1.recurrentKernel']);
    tf.tidy(() => {
      const s = cell.initialState(1);
      const [, , ex] = cell.step(s, tf.tensor2d([[0.3, -0.6]]), { extras: true });
      expect(Object.keys(ex ?? {}).sort()).toEqual(['0.c', '0.s', '0.t', '1.c', '1.s', '1.t']);
      expect(tf.max(tf.abs(tf.sub(tf.add(ex!['1.t'], ex!['1.c']), 1))).dataSync()[0]).toBeLessThan(1e-6);
    });
    cell.dispose();
  });

  it('round-trips through the cell registry', async () => {
    const cell = rhnCell({ inputSize: 2, hiddenSize: 3, depth: 2, coupled: false, seed: 1 });
    await expectRegistryRoundTrip(cell, [[0.5, -1]]);
    cell.dispose();
  });

  it('leaks nothing on complete, error and unsubscribe', async () => {
    const cell = rhnCell({ inputSize: 3, hiddenSize: 2, depth: 2, coupled: false });
    await expectOperatorNoLeaks(cell, rhn as never, [1, 0, -1]);
    cell.dispose();
  });

  it('rejects bad options and cells with clear errors', () => {
    const before = tf.memory().numTensors; // errors leave nothing allocated
    expect(() => rhnCell({ inputSize: 2, hiddenSize: 2, depth: 0 })).toThrow(/rhnCell: options.depth: expected a positive integer, received number 0/);
    expect(() => rhnCell({ inputSize: 2, hiddenSize: 2, coupled: 1 as never })).toThrow(/rhnCell: options.coupled: expected a boolean/);
    expect(() => rhnCell({ inputSize: 2, hiddenSize: 2, depth: 1, weights: { 'layers.1.bias': { shape: [4], data: new Float32Array(4) } } })).toThrow(/rhnCell: weights.layers.1.bias: expected one of/);
    expect(() => rhnCell({ inputSize: 2, hiddenSize: 2, depth: 1, coupled: true, weights: { kernel: { shape: [2, 6], data: new Float32Array(12) } } })).toThrow(/rhnCell: weights.kernel: expected shape \[2, 4\], received shape \[2, 6\]/);
    const r = rnnCell({ inputSize: 2, hiddenSize: 2 });
    expect(() => rhn(r as never)).toThrow(/rhn: cell: expected a cell of kind 'rhn', received a 'rnn' cell/);
    r.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
