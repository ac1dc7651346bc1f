/**
 * `ntm(cell)`: stream a Neural Turing Machine, one step per value.
 *
 * Shape contract: in `[X]` or `[B, X]` per value; out y_t as a `[B, Y]` tensor (logits). With
 * `{ emit: 'step', extras: true }` each step also carries the machine's internals, so a client can
 * watch it work: `readWeights` [B, R, N], `writeWeights` [B, W, N], `memory` [B, N, M] (after the
 * step's write) and `reads` [B, R, M]. Snapshots (`control`, `initialState`) hold the whole state:
 * controller, memory, weightings and reads.
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { ntmCell, ntm } from '@rxrnn/memory';
 *
 * const cell = ntmCell({ inputSize: 2, outputSize: 2, memorySize: 8, memoryWidth: 4, controllerSize: 6, seed: 1 });
 * from([[1, 0], [0, 1]]).pipe(ntm(cell, { emit: 'step', extras: true })).subscribe(({ y, extras }) => {
 *   console.log(extras!.writeWeights.arraySync()); // where the write head points, [1, 1, 8]
 *   y.dispose();
 *   for (const t of Object.values(extras!)) t.dispose();
 * });
 * ```
 */
import { namedOperator } from '@rxrnn/core';
import type { NtmState } from './ntm-step.js';

export const ntm = namedOperator<NtmState>('ntm', ['ntm']);
