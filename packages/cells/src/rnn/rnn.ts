/**
 * `rnn(cell)`: stream a vanilla RNN, one step per value.
 *
 * Shape contract: in `[X]` or `[B, X]` per value; out `h_t` as a `[B, H]` tensor
 * (with `{ emit: 'step', extras: true }` also the pre-activation `pre` [B, H]).
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { readRows } from '@rxrnn/core';
 * import { rnnCell, rnn } from '@rxrnn/cells';
 *
 * const cell = rnnCell({ inputSize: 3, hiddenSize: 8, activation: 'hardTanh', seed: 1 });
 * from([[1, 0, 0], [0, 1, 0]]).pipe(rnn(cell), readRows()).subscribe(console.log);
 * ```
 */
import { namedOperator } from '@rxrnn/core';
import type { RnnState } from './rnn-step.js';

export const rnn = namedOperator<RnnState>('rnn', ['rnn']);
