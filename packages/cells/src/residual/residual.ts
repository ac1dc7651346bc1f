/**
 * `residual(cell)`: stream a residual-wrapped cell (`residualCell(inner)`), one step per value.
 *
 * Shape contract: in `[X]` or `[B, X]` per value; out `x_t + inner(x_t)` (or `x_t P + inner(x_t)`
 * when X ≠ Y) as a `[B, Y]` tensor. Extras are the inner cell's.
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { readRows } from '@rxrnn/core';
 * import { lstmCell, residualCell, residual } from '@rxrnn/cells';
 *
 * const cell = residualCell(lstmCell({ inputSize: 4, hiddenSize: 4, seed: 1 }));
 * from([[1, 0, 0, 1], [0, 1, 1, 0]]).pipe(residual(cell), readRows()).subscribe((y) => console.log(y[0]));
 * ```
 */
import { namedOperator, type State } from '@rxrnn/core';

export const residual = namedOperator<State>('residual', ['residual']);
