/**
 * `gridLstm(cell)`: stream a 2-D (time × depth) Grid LSTM (Kalchbrenner et al. 2016), one time
 * step per value; each step computes the N blocks of its depth column.
 *
 * Shape contract: in `[X]` or `[B, X]` per value; out the top block's depth hidden h^D_N as a
 * `[B, H]` tensor. With `{ emit: 'step', extras: true }` each step also carries every block's
 * depth vectors `n.depth.h`, `n.depth.m` ([B, H] each).
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { readRows } from '@rxrnn/core';
 * import { gridLstmCell, gridLstm } from '@rxrnn/cells';
 *
 * const cell = gridLstmCell({ inputSize: 2, hiddenSize: 4, layers: 3, seed: 1 });
 * from([[1, 0], [0, 1], [1, 1]]).pipe(gridLstm(cell), readRows()).subscribe((y) => console.log(y[0]));
 * ```
 */
import { namedOperator } from '@rxrnn/core';
import type { GridLstmState } from './grid-lstm-step.js';

export const gridLstm = namedOperator<GridLstmState>('gridLstm', ['grid-lstm']);
