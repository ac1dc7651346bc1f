/**
 * Build a family's operator (`lstm`, `gru`, …) from `recurrent()`: the same stream semantics, plus a
 * check that the cell given belongs to the family.
 */
import type * as tf from '@tensorflow/tfjs';
import type { OperatorFunction } from 'rxjs';
import type { Cell, State } from './cell.js';
import { recurrent, type RecurrentOptions, type StepOutput } from './recurrent.js';
import { rxrnnError, ErrorCodes, describe } from './errors.js';

export interface RecurrentOperator<S extends State> {
  (cell: Cell<S>, options?: RecurrentOptions & { emit?: 'output' }): OperatorFunction<unknown, tf.Tensor2D>;
  (cell: Cell<S>, options: RecurrentOptions & { emit: 'step' }): OperatorFunction<unknown, StepOutput>;
}

/** An operator named `name` that accepts cells whose `kind` is one of `kinds`. */
export function namedOperator<S extends State>(name: string, kinds: readonly string[]): RecurrentOperator<S> {
  const op = (cell: Cell<S>, options?: RecurrentOptions) => {
    if (!cell || !kinds.includes(cell.kind)) {
      throw rxrnnError(ErrorCodes.ARGUMENT, name, 'cell', `a cell of kind ${kinds.map((k) => `'${k}'`).join(' or ')}`, cell && typeof cell.kind === 'string' ? `a '${cell.kind}' cell` : describe(cell));
    }
    return recurrent(cell, options as RecurrentOptions & { emit: 'step' });
  };
  return op as RecurrentOperator<S>;
}
