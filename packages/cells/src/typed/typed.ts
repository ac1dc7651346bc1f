/**
 * `tRnn(cell)`, `tLstm(cell)`, `tGru(cell)`: stream a strongly-typed unit (Balduzzi & Ghifary
 * 2016), one step per value.
 *
 * Shape contract: in `[X]` or `[B, X]` per value; out `h_t` as a `[B, H]` tensor. With
 * `{ emit: 'step', extras: true }` each step also carries `z`, `f` (and `o`, and `c` for T-LSTM).
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { readRows } from '@rxrnn/core';
 * import { tLstmCell, tLstm } from '@rxrnn/cells';
 *
 * const cell = tLstmCell({ inputSize: 2, hiddenSize: 4, seed: 1 });
 * from([[1, 0], [0, 1], [1, 1]]).pipe(tLstm(cell), readRows()).subscribe((y) => console.log(y[0]));
 * ```
 */
import { namedOperator } from '@rxrnn/core';
import type { TRnnState, TLstmState, TGruState } from './typed-step.js';

export const tRnn = namedOperator<TRnnState>('tRnn', ['t-rnn']);
export const tLstm = namedOperator<TLstmState>('tLstm', ['t-lstm']);
export const tGru = namedOperator<TGruState>('tGru', ['t-gru']);
