/**
 * `gru(cell)`: stream a GRU, one step per value.
 *
 * Shape contract: in `[X]` or `[B, X]` per value; out `h_t` as a `[B, H]` tensor. With
 * `{ emit: 'step', extras: true }` each step also carries the gates `r, z` and candidate `n` ([B, H]).
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { readRows } from '@rxrnn/core';
 * import { gruCell, gru } from '@rxrnn/cells';
 *
 * const cell = gruCell({ inputSize: 2, hiddenSize: 4, seed: 1 });
 * from([[1, 0], [0, 1]]).pipe(gru(cell), readRows()).subscribe((y) => console.log(y[0]));
 * ```
 */
import { namedOperator } from '@rxrnn/core';
import type { GruState } from './gru-step.js';

export const gru = namedOperator<GruState>('gru', ['gru']);
