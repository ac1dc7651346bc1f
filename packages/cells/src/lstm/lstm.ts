/**
 * `lstm(cell)`: stream an LSTM, one step per value.
 *
 * Shape contract: in `[X]` or `[B, X]` per value; out `h_t` as a `[B, H]` tensor (`[B, P]` with a
 * projection). With `{ emit: 'step', extras: true }` each step also carries the gate activations
 * `i, f, g, o` and the cell `c` ([B, H] each), for Karpathy-style visualisation.
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { readRows } from '@rxrnn/core';
 * import { lstmCell, lstm } from '@rxrnn/cells';
 *
 * const cell = lstmCell({ inputSize: 2, hiddenSize: 4, seed: 1 });
 * from([[1, 0], [0, 1], [1, 1]]).pipe(lstm(cell), readRows()).subscribe((y) => console.log(y[0]));
 * ```
 */
import { namedOperator } from '@rxrnn/core';
import type { LstmState } from './lstm-step.js';

export const lstm = namedOperator<LstmState>('lstm', ['lstm']);
