/**
 * `rhn(cell)`: stream a Recurrent Highway Network (Zilly et al. 2017), one step per value, each
 * step running L highway layers.
 *
 * Shape contract: in `[X]` or `[B, X]` per value; out `s_L^{[t]}` as a `[B, H]` tensor. With
 * `{ emit: 'step', extras: true }` each step also carries, per highway layer ℓ, the transform gate
 * `ℓ.t`, the carry gate `ℓ.c` and the intermediate state `ℓ.s` ([B, H] each).
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { readRows } from '@rxrnn/core';
 * import { rhnCell, rhn } from '@rxrnn/cells';
 *
 * const cell = rhnCell({ inputSize: 2, hiddenSize: 4, depth: 3, seed: 1 });
 * from([[1, 0], [0, 1], [1, 1]]).pipe(rhn(cell), readRows()).subscribe((y) => console.log(y[0]));
 * ```
 */
import { namedOperator } from '@rxrnn/core';
import type { RhnState } from './rhn-step.js';

export const rhn = namedOperator<RhnState>('rhn', ['rhn']);
