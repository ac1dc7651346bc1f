// Goldens: tools/goldens/more_cells.py (PyTorch nn.LSTMCell plus the identity/projection shortcut).
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { gradCheck } from '@rxrnn/testing';
import { residualCell } from './residual-cell.js';
import { residual } from './residual.js';
import { lstmCell } from '../lstm/lstm-cell.js';
import { gruCell } from '../gru/gru-cell.js';
import { cellFromConfig, cellWeights } from '../model/cell-registry.js';
import { loadMoreCells, goldenWeights, expectGoldenParity, expectOperatorNoLeaks, sequenceLoss, smallInputs } from '../../test/more-cells-golden.js';

describe('residual', () => {
  for (const name of ['residual-identity', 'residual-projected']) {
    it(`${name} around an LSTM matches PyTorch, step by step`, async () => {
      const g = loadMoreCells(name);
      const { inputSize, hiddenSize } = g.config.options as { inputSize: number; hiddenSize: number };
      const inner = lstmCell({ inputSize, hiddenSize, weights: goldenWeights(g, 'inner.') });
      const own = goldenWeights(g);
      const cell = residualCell(inner, { weights: own.projection ? { projection: own.projection } : undefined });
      expect(Object.keys(cell.params).sort()).toEqual(Object.keys(own).sort());
      await expectGoldenParity(g, cell, residual as never);
      cell.dispose();
      expect(inner.isDisposed).toBe(true);
    });
  }

  it('gradients match finite differences (identity and projection shortcuts)', () => {
    const xs = smallInputs(3, 2, 3);
    for (const H of [3, 2]) {
      const cell = residualCell(gruCell({ inputSize: 3, hiddenSize: H, seed: H }), { seed: 9 });
      expect('projection' in cell.params).toBe(H !== 3);
      const report = gradCheck(sequenceLoss(cell, xs), cell.params as Record<string, tf.Variable>);
      expect(report.checked).toBeGreaterThan(30);
      cell.dispose();
    }
    xs.forEach((x) => x.dispose());
  });

  it('round-trips through the cell registry (config + prefixed weights)', () => {
    const cell = residualCell(lstmCell({ inputSize: 3, hiddenSize: 2, seed: 4 }), { seed: 2 });
    expect(cell.config).toMatchObject({ kind: 'residual', projected: true, inner: { kind: 'lstm', inputSize: 3, hiddenSize: 2 } });
    const copy = cellFromConfig(cell.config, cellWeights(cell));
    tf.tidy(() => {
      const x = tf.tensor2d([[0.2, -0.4, 0.9]]);
      const [a] = cell.step(cell.initialState(1), x);
      const [b] = copy.step(copy.initialState(1), x);
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    });
    cell.dispose();
    copy.dispose();
  });

  it('leaks nothing on complete, error and unsubscribe', async () => {
    const cell = residualCell(lstmCell({ inputSize: 3, hiddenSize: 3 }));
    await expectOperatorNoLeaks(cell, residual as never, [1, 2, 3]);
    cell.dispose();
  });

  it('rejects bad input with clear errors', () => {
    const before = tf.memory().numTensors; // errors leave nothing allocated
    expect(() => residualCell({} as never)).toThrow(/residualCell: cell: expected a Cell \(with step, initialState and params\), received an object/);
    const l = lstmCell({ inputSize: 2, hiddenSize: 2 });
    expect(() => residualCell(l, { weights: { projection: { shape: [2, 2], data: new Float32Array(4) } } })).toThrow(/residualCell: weights.projection: expected one of/);
    expect(() => residual(l as never)).toThrow(/residual: cell: expected a cell of kind 'residual', received a 'lstm' cell/);
    l.dispose();
    expect(() => residualCell(l)).toThrow(/residualCell: cell: expected a live cell, received a disposed cell/);
    const r = residualCell(lstmCell({ inputSize: 2, hiddenSize: 2 }));
    r.dispose();
    expect(() => r.initialState(1)).toThrow(/residual.initialState: cell: expected a live cell, received a disposed cell/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
