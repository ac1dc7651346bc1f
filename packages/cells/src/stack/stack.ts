/**
 * `stack(cell)`: stream a stack of cells (see `stackCells`), one step per value.
 *
 * Shape contract: in `[X]` or `[B, X]` per value (X of the first cell); out `[B, Y]` of the last.
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { readRows } from '@rxrnn/core';
 * import { lstmCell, stackCells, stack } from '@rxrnn/cells';
 *
 * const deep = stackCells([lstmCell({ inputSize: 2, hiddenSize: 8 }), lstmCell({ inputSize: 8, hiddenSize: 4 })]);
 * from([[1, 0], [0, 1]]).pipe(stack(deep), readRows()).subscribe((y) => console.log(y[0]));
 * ```
 */
import { namedOperator, type State } from '@rxrnn/core';

export const stack = namedOperator<State>('stack', ['stack']);
