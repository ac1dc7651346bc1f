/**
 * `mut(cell)`: stream a MUT1/MUT2/MUT3 cell (Jozefowicz et al. 2015), one step per value.
 *
 * Shape contract: in `[X]` or `[B, X]` per value; out `h_t` as a `[B, H]` tensor. With
 * `{ emit: 'step', extras: true }` each step also carries the gates `z`, `r` and the `candidate`
 * ([B, H] each).
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { readRows } from '@rxrnn/core';
 * import { mutCell, mut } from '@rxrnn/cells';
 *
 * const cell = mutCell({ variant: 'MUT3', inputSize: 2, hiddenSize: 4, seed: 1 });
 * from([[1, 0], [0, 1], [1, 1]]).pipe(mut(cell), readRows()).subscribe((y) => console.log(y[0]));
 * ```
 */
import { namedOperator } from '@rxrnn/core';
import type { MutState } from './mut-step.js';

export const mut = namedOperator<MutState>('mut', ['mut']);
