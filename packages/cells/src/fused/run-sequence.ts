/**
 * `runSequence(cell, x, state?, config?)`: run any cell over a whole sequence `x` [T, B, X], in one
 * fused call when the kernels (chosen by `config`) cover the cell (its family in the fused registry:
 * lstm with or without projection, the lstm-variants 'vanilla', 'NP' and 'CIFG', gru, rnn with
 * tanh/relu, dense; default activations), otherwise by unrolling `cell.step` with tfjs ops. Differentiable either
 * way, so it is the drop-in replacement for a BPTT loop over `cell.step`:
 *
 * ```ts
 * const cell = lstmCell({ inputSize: 8, hiddenSize: 64 });
 * optimizer.minimize(() => {
 *   const { ys } = runSequence(cell, x); // ys [T, B, H]
 *   return tf.losses.meanSquaredError(target, ys) as tf.Scalar;
 * });
 * ```
 *
 * Returns new tensors owned by the caller: `ys` [T, B, Y] and the final `state` (by the cell's state
 * names). `fused` tells which path ran.
 */
import * as tf from '@tensorflow/tfjs';
import { unrollSteps, type Cell, type State } from '@rxrnn/core';
import { kernels, checkTensor, resolveKernelsConfig, type KernelsConfig } from '@rxrnn/kernels';
import { fusedFamily, unsupported } from './fused-registry.js';

export interface RunSequenceResult<S extends State = State> {
  ys: tf.Tensor3D; // [T, B, Y]
  state: S;
  fused: boolean;
}

export function runSequence<S extends State>(cell: Cell<S>, x: tf.Tensor3D, state?: S, config: KernelsConfig = {}): RunSequenceResult<S> {
  const fn = 'runSequence';
  checkTensor(fn, 'x', x, [-1, -1, cell?.inputSize ?? -1], `[T, B, ${cell?.inputSize}]`);
  const family = fusedFamily(cell.kind);
  const rt = family && !unsupported(cell) ? kernels(resolveKernelsConfig(config, fn)) : null;
  if (family && rt && !unsupported(cell, rt)) {
    const [ys, s] = family.sequence(cell, rt, state, x);
    return { ys, state: s as S, fused: true };
  }
  // the tfjs step, unrolled
  return tf.tidy(() => {
    const [ys, s] = unrollSteps(cell, state ?? cell.initialState(x.shape[1]), x);
    return { ys, state: s, fused: false };
  });
}
