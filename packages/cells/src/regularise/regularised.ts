/**
 * `regularised(cell, { training, seed })`: stream a cell wrapped in `variationalDropout(…)` or
 * `zoneout(…)`, one step per value. The regulariser is active only with `training: true`; noise
 * comes from the stream's seeded generator (`seed`, default 0), so a run is reproducible.
 *
 * Shape contract: the inner cell's — in `[X]` or `[B, X]` per value; out `[B, Y]`.
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { readRows } from '@rxrnn/core';
 * import { lstmCell, zoneout, variationalDropout, regularised } from '@rxrnn/cells';
 *
 * const cell = zoneout(variationalDropout(lstmCell({ inputSize: 2, hiddenSize: 4, seed: 1 }), { input: 0.2, recurrent: 0.2 }), { h: 0.1, c: 0.05 });
 * from([[1, 0], [0, 1], [1, 1]])
 *   .pipe(regularised(cell, { training: true, seed: 7 }), readRows())
 *   .subscribe((y) => console.log(y[0]));
 * ```
 */
import { namedOperator, type State } from '@rxrnn/core';

export const regularised = namedOperator<State>('regularised', ['variational-dropout', 'zoneout']);
