/**
 * A cell over a whole chunk: `runCellSequence(cell, state, xs)` gives the outputs of every step
 * `[T, B, Y]` and the final state, through the cell's own {@link Cell.sequence} when it has one
 * (fused kernels) and otherwise by unrolling `step`:
 *
 *     s_t, y_t = cell.step(s_{t−1}, x_t)      (t = 0 … T−1)      ys = [y_0 … y_{T−1}]
 *
 * Pure and differentiable; call it inside `tf.tidy` or a gradient scope (the intermediate states of
 * the unrolled path are left to that scope).
 */
import * as tf from '@tensorflow/tfjs';
import type { Cell, SequenceResult, State, StepContext } from './cell.js';
import { rxrnnError, ErrorCodes, describe } from './errors.js';

/**
 * Unroll `cell.step` over `xs` [T, B, X] (the reference every `sequence` must match). Only the step
 * is needed: `unrollSteps({ step }, state, xs)` unrolls a bare step function too.
 */
export function unrollSteps<S extends State>(cell: Pick<Cell<S>, 'step'>, state: S, xs: tf.Tensor3D, ctx: StepContext = {}): SequenceResult<S> {
  // T × [B, X]. One step is a reshape: tfjs 4.22's gradient of a one-slice unstack fails (its Unpack
  // gradient stacks a lone tensor), which broke training on T = 1 chunks through any unrolled cell.
  const steps = xs.shape[0] === 1 ? [tf.reshape(xs, [xs.shape[1], xs.shape[2]]) as tf.Tensor2D] : (tf.unstack(xs) as tf.Tensor2D[]);
  const ys: tf.Tensor2D[] = [];
  let s = state;
  for (const x of steps) {
    const [y, next] = cell.step(s, x, ctx); // y: [B, Y]
    ys.push(y);
    s = next;
  }
  return [tf.stack(ys) as tf.Tensor3D, s]; // [T, B, Y]
}

/** The cell over a chunk `xs` [T, B, X]: `[ys [T, B, Y], final state]` (see the module comment). */
export function runCellSequence<S extends State>(cell: Cell<S>, state: S, xs: tf.Tensor3D, ctx: StepContext = {}): SequenceResult<S> {
  const fn = 'runCellSequence';
  if (!cell || typeof cell.step !== 'function') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'cell', 'a Cell', describe(cell));
  if (!(xs instanceof tf.Tensor) || xs.rank !== 3 || xs.shape[2] !== cell.inputSize || xs.shape[0] < 1) {
    throw rxrnnError(ErrorCodes.SHAPE, fn, 'xs', `a tensor of shape [T ≥ 1, B, ${cell.inputSize}]`, describe(xs));
  }
  return cell.sequence ? cell.sequence(state, xs, ctx) : unrollSteps(cell, state, xs, ctx);
}
