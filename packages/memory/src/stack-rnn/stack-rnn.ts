/**
 * `stackRnn(cell)`: stream a stack-augmented RNN (Joulin & Mikolov 2015), one step per value.
 *
 * Shape contract: in `[X]` or `[B, X]` per value; out y_t as a `[B, Y]` tensor (logits). With
 * `{ emit: 'step', extras: true }` each step also carries `stacks` [B, K, D] (top first, −1 = empty)
 * and `actions` [B, K, 3] (PUSH, POP, NO-OP), so a client can watch the stacks grow and shrink.
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { stackRnnCell, stackRnn } from '@rxrnn/memory';
 *
 * const cell = stackRnnCell({ inputSize: 2, outputSize: 2, hiddenSize: 8, stacks: 2, depth: 10, seed: 1 });
 * from([[1, 0], [0, 1]]).pipe(stackRnn(cell, { emit: 'step', extras: true })).subscribe(({ y, extras }) => {
 *   console.log(extras!.actions.arraySync()); // [1, 2, 3]: each stack's PUSH, POP, NO-OP
 *   y.dispose();
 *   for (const t of Object.values(extras!)) t.dispose();
 * });
 * ```
 */
import { namedOperator } from '@rxrnn/core';
import type { StackRnnState } from './stack-rnn-step.js';

export const stackRnn = namedOperator<StackRnnState>('stackRnn', ['stack-rnn']);
