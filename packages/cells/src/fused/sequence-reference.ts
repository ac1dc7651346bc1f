/**
 * What the fused-kernel checks compare against, shared by fused-sequence.test.ts, fused-lstm-variant.test.ts
 * and the headless-Chromium page (browser-page.ts): a cell's own tfjs step unrolled over a sequence, the
 * sequence families the kernels cover (each run through its fused sequence function), and random states.
 * Not exported from the package.
 */
import * as tf from '@tensorflow/tfjs';
import { unrollSteps, type Cell, type State } from '@rxrnn/core';
import type { KernelsConfig } from '@rxrnn/kernels';
import { lstmCell } from '../lstm/lstm-cell.js';
import { gruCell } from '../gru/gru-cell.js';
import { rnnCell } from '../rnn/rnn-cell.js';
import { lstmSequence } from '../lstm/lstm-fused.js';
import { gruSequence } from '../gru/gru-fused.js';
import { rnnSequence } from '../rnn/rnn-fused.js';

/**
 * The reference: core's `unrollSteps` (the cell's tfjs step over x [T, B, X] from s0) in a tidy, as
 * `{ ys [T, B, Y], s }` for the comparisons.
 */
export function unrollStep(cell: Cell, x: tf.Tensor3D, s0: State): { ys: tf.Tensor; s: State } {
  return tf.tidy(() => {
    const [ys, s] = unrollSteps(cell, s0, x);
    return { ys, s };
  });
}

export interface SequenceFamily {
  name: string;
  /** An unfused cell of the family. */
  make: (X: number, H: number) => Cell;
  /** The fused sequence on the cell's params (on the kernels `kernels` picks): ys and final state by the cell's state names. */
  run: (cell: Cell, x: tf.Tensor3D, s0: State, kernels?: KernelsConfig) => { ys: tf.Tensor; s: State };
}

/** LSTM, LSTM with projection, GRU (reset after and before), RNN (tanh, relu). */
export const SEQUENCE_FAMILIES: SequenceFamily[] = [
  {
    name: 'lstm',
    make: (X, H) => lstmCell({ fused: false, inputSize: X, hiddenSize: H, seed: 1, init: 'uniform' }),
    run: (cell, x, s0, kernels) => {
      const r = lstmSequence(cell.params as never, x, s0.h as tf.Tensor2D, s0.c as tf.Tensor2D, { kernels });
      return { ys: r.ys, s: { h: r.hT, c: r.cT } };
    },
  },
  {
    name: 'lstm with projection',
    make: (X, H) => lstmCell({ fused: false, inputSize: X, hiddenSize: H, projSize: Math.max(1, H - 3), seed: 4, init: 'uniform' }),
    run: (cell, x, s0, kernels) => {
      const r = lstmSequence(cell.params as never, x, s0.h as tf.Tensor2D, s0.c as tf.Tensor2D, { kernels });
      return { ys: r.ys, s: { h: r.hT, c: r.cT } };
    },
  },
  ...[true, false].map((resetAfter) => ({
    name: `gru ${resetAfter ? 'reset-after' : 'reset-before'}`,
    make: (X: number, H: number) => gruCell({ fused: false, inputSize: X, hiddenSize: H, seed: 2, init: 'uniform', resetAfter }),
    run: (cell: Cell, x: tf.Tensor3D, s0: State, kernels?: KernelsConfig) => {
      const r = gruSequence(cell.params as never, x, s0.h as tf.Tensor2D, { resetAfter, kernels });
      return { ys: r.ys, s: { h: r.hT } };
    },
  })),
  ...(['tanh', 'relu'] as const).map((activation) => ({
    name: `rnn ${activation}`,
    make: (X: number, H: number) => rnnCell({ fused: false, inputSize: X, hiddenSize: H, seed: 3, activation }),
    run: (cell: Cell, x: tf.Tensor3D, s0: State, kernels?: KernelsConfig) => {
      const r = rnnSequence(cell.params as never, x, s0.h as tf.Tensor2D, { activation, kernels });
      return { ys: r.ys, s: { h: r.hT } };
    },
  })),
];

/** A state for `cell` at batch B with N(0, 0.5²) entries (seeded). */
export function randomState(cell: Cell, B: number, seed: number): State {
  const s = cell.initialState(B);
  const out: Record<string, tf.Tensor> = {};
  Object.entries(s).forEach(([k, v], i) => {
    out[k] = tf.randomNormal(v.shape, 0, 0.5, 'float32', seed + i);
    v.dispose();
  });
  return out;
}
