/**
 * `lstmVariant(cell)`: stream a peephole LSTM or one of the eight Greff et al. 2017 variants
 * (a cell from `lstmVariantCell`, `peepholeLstmCell` or `cifgLstmCell`), one step per value.
 *
 * Shape contract: in `[X]` or `[B, X]` per value; out `h_t` (Greff's block output y^t) as a
 * `[B, H]` tensor. With `{ emit: 'step', extras: true }` each step also carries the gate
 * activations `i, f, g, o` and the cell `c` ([B, H] each; a gate a variant lacks reads as 1).
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { readRows } from '@rxrnn/core';
 * import { lstmVariantCell, lstmVariant } from '@rxrnn/cells';
 *
 * const cell = lstmVariantCell({ variant: 'CIFG', inputSize: 2, hiddenSize: 4, seed: 1 });
 * from([[1, 0], [0, 1], [1, 1]]).pipe(lstmVariant(cell), readRows()).subscribe((y) => console.log(y[0]));
 * ```
 */
import { namedOperator } from '@rxrnn/core';
import type { LstmVariantState } from './greff-lstm-step.js';

export const lstmVariant = namedOperator<LstmVariantState>('lstmVariant', ['lstm-variant']);
