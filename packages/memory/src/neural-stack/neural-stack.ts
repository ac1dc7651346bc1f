/**
 * `neuralStack(cell)`: stream an LSTM with a continuous stack, queue or deque (Grefenstette et al.
 * 2015), one step per value.
 *
 * Shape contract: in `[X]` or `[B, X]` per value; out y_t as a `[B, Y]` tensor (logits). With
 * `{ emit: 'step', extras: true }` each step also carries the structure, so a client can watch it
 * fill and empty: `strengths` [B, C], `values` [B, C, m], `readWeights` [B, E, C], `reads` [B, E, m],
 * `push` and `pop` [B, E] (C rows, E ends: 1 for a stack or queue, 2 for a deque, top first).
 * Snapshots hold the whole state: controller, rows and strengths, last reads.
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { neuralStackCell, neuralStack } from '@rxrnn/memory';
 *
 * const cell = neuralStackCell({ structure: 'queue', inputSize: 2, outputSize: 2, valueSize: 3, controllerSize: 4, capacity: 8, seed: 1 });
 * from([[1, 0], [0, 1]]).pipe(neuralStack(cell, { emit: 'step', extras: true })).subscribe(({ y, extras }) => {
 *   console.log(extras!.strengths.arraySync()); // how much of each row is in the queue, [1, 8]
 *   y.dispose();
 *   for (const t of Object.values(extras!)) t.dispose();
 * });
 * ```
 */
import { namedOperator } from '@rxrnn/core';
import type { NeuralStackState } from './neural-stack-step.js';

export const neuralStack = namedOperator<NeuralStackState>('neuralStack', ['neural-stack']);
