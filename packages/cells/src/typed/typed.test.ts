// Goldens: tools/goldens/more_cells.py (a transcription of Balduzzi & Ghifary 2016 in PyTorch).
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { gradCheck } from '@rxrnn/testing';
import { tRnnCell, tLstmCell, tGruCell } from './typed-cell.js';
import { tRnn, tLstm, tGru } from './typed.js';
import { gruCell } from '../gru/gru-cell.js';
import { loadMoreCells, goldenWeights, expectGoldenParity, expectOperatorNoLeaks, sequenceLoss, smallInputs, expectRegistryRoundTrip } from '../../test/more-cells-golden.js';

type Opts = { inputSize: number; hiddenSize: number; lag?: boolean };

describe('strongly-typed cells', () => {
  const cases = [
    ['t-rnn', (o: Opts) => tRnnCell(o), tRnn],
    ['t-lstm', (o: Opts) => tLstmCell(o), tLstm],
    ['t-lstm-nolag', (o: Opts) => tLstmCell(o), tLstm],
    ['t-gru', (o: Opts) => tGruCell(o), tGru],
    ['t-gru-nolag', (o: Opts) => tGruCell(o), tGru],
  ] as const;
  for (const [name, make, op] of cases) {
    it(`${name} matches the PyTorch transcription of the paper, step by step`, async () => {
      const g = loadMoreCells(name);
      const cell = (make as (o: Opts & { weights: unknown }) => ReturnType<typeof tRnnCell>)({ ...(g.config.options as Opts), weights: goldenWeights(g) });
      await expectGoldenParity(g, cell, op as never);
      cell.dispose();
    });
  }

  it('gradients match finite differences (T-RNN, T-LSTM, T-GRU with lag)', () => {
    const xs = smallInputs(3, 2, 3);
    for (const cell of [tRnnCell({ inputSize: 3, hiddenSize: 3, seed: 2 }), tLstmCell({ inputSize: 3, hiddenSize: 3, seed: 3 }), tGruCell({ inputSize: 3, hiddenSize: 3, seed: 4 })]) {
      const report = gradCheck(sequenceLoss(cell, xs), cell.params as Record<string, tf.Variable>);
      expect(report.checked).toBeGreaterThan(20);
      cell.dispose();
    }
    xs.forEach((x) => x.dispose());
  });

  it('the recurrence is elementwise: no learned matrix touches the state', () => {
    const cell = tGruCell({ inputSize: 2, hiddenSize: 3, seed: 1 });
    // With x = 0 at every step (so x_t = x_{t−1} = 0), h_t = σ(b_f) ⊙ h_{t−1} + b_z ⊙ tanh(b_o): a per-unit affine map.
    tf.tidy(() => {
      const h0 = tf.tensor2d([[1, -2, 0.5]]);
      const x0 = tf.zeros([1, 2]) as tf.Tensor2D;
      const [h1] = cell.step({ h: h0, xPrev: tf.zeros([1, 2]) as tf.Tensor2D }, x0);
      const [bz, bf, bo] = tf.split(cell.params.bias, 3);
      const want = tf.add(tf.mul(tf.sigmoid(bf), h0), tf.mul(bz, tf.tanh(bo)));
      expect(tf.max(tf.abs(tf.sub(h1, want))).dataSync()[0]).toBeLessThan(1e-6);
    });
    cell.dispose();
  });

  it('round-trips through the cell registry', async () => {
    for (const cell of [tRnnCell({ inputSize: 2, hiddenSize: 3, seed: 1 }), tLstmCell({ inputSize: 2, hiddenSize: 3, seed: 1 }), tGruCell({ inputSize: 2, hiddenSize: 3, lag: false, seed: 1 })]) {
      await expectRegistryRoundTrip(cell, [[0.5, -1]]);
      cell.dispose();
    }
  });

  it('leaks nothing on complete, error and unsubscribe', async () => {
    const pairs = [
      [tRnnCell({ inputSize: 3, hiddenSize: 2 }), tRnn],
      [tLstmCell({ inputSize: 3, hiddenSize: 2 }), tLstm],
      [tGruCell({ inputSize: 3, hiddenSize: 2, lag: false }), tGru],
    ] as const;
    for (const [cell, op] of pairs) {
      await expectOperatorNoLeaks(cell, op as never, [1, -0.5, 0.25]);
      cell.dispose();
    }
  });

  it('rejects bad options and cells with clear errors', () => {
    const before = tf.memory().numTensors; // errors leave nothing allocated
    expect(() => tRnnCell({ inputSize: 2, hiddenSize: -1 })).toThrow(/tRnnCell: options.hiddenSize: expected a positive integer, received number -1/);
    expect(() => tLstmCell({ inputSize: 2, hiddenSize: 2, lag: 'yes' as never })).toThrow(/tLstmCell: options.lag: expected a boolean/);
    expect(() => tGruCell({ inputSize: 2, hiddenSize: 2, lag: false, weights: { lagKernel: { shape: [2, 6], data: new Float32Array(12) } } })).toThrow(/tGruCell: weights.lagKernel: expected one of kernel, bias/);
    const g = gruCell({ inputSize: 2, hiddenSize: 2 });
    expect(() => tGru(g as never)).toThrow(/tGru: cell: expected a cell of kind 't-gru', received a 'gru' cell/);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
