/**
 * Gradient-flow probe: how much the loss at the end of a sequence depends on the hidden state k
 * steps earlier, ‖∂L/∂h_{T−k}‖, the quantity whose exponential decay with k is the vanishing
 * gradient problem (Hochreiter 1991; Bengio, Simard & Frasconi 1994; Pascanu et al. 2013).
 *
 * Trick: add a zero perturbation δ_t to the state entry `key` as it enters step t; then
 * ∂L/∂δ_t = ∂L/∂h_{t−1} exactly, and one `tf.grads` call gives them all. Pure; no rxjs.
 */
import * as tf from '@tensorflow/tfjs';
import type { Cell, State } from '../cell.js';
import { rxrnnError, ErrorCodes, describe } from '../errors.js';

export interface GradientFlowOptions {
  /** The state entry to probe. Default `'h'`. */
  key?: string;
  /** Loss of the last output `[B, Y]` (a scalar). Default: ½‖y_T‖² summed — any function will do. */
  loss?: (yLast: tf.Tensor2D) => tf.Scalar;
}

/**
 * For inputs `[T, B, X]`, returns `norms[k]` = ‖∂L/∂h‖ for the state k steps before the last step's
 * output (k = 1 … T; norms[0] is unused and 0): the mean over the batch of each row's L2 norm.
 */
export function gradientFlow(cell: Cell, inputs: tf.Tensor3D, options: GradientFlowOptions = {}): number[] {
  const key = options.key ?? 'h';
  const [T, B] = inputs.shape;
  const s0 = cell.initialState(B);
  try {
    if (!s0[key]) throw rxrnnError(ErrorCodes.ARGUMENT, 'gradientFlow', 'options.key', `a state entry of the cell (${Object.keys(s0).join(', ')})`, describe(key));
    const shape = s0[key].shape;
    const loss = options.loss ?? ((y: tf.Tensor2D) => tf.mul(0.5, tf.sum(tf.square(y))) as tf.Scalar);
    return tf.tidy(() => {
      const xs = tf.unstack(inputs) as tf.Tensor2D[]; // T × [B, X]
      const deltas = xs.map(() => tf.zeros(shape)); // T × [B, H]
      const f = (...ds: tf.Tensor[]) => {
        let state: State = s0;
        let y: tf.Tensor2D | null = null;
        for (let t = 0; t < T; t++) {
          state = { ...state, [key]: tf.add(state[key], ds[t]) }; // h_{t−1} + δ_t
          [y, state] = cell.step(state, xs[t], {});
        }
        return loss(y!);
      };
      const gs = tf.grads(f)(deltas); // ∂L/∂δ_t = ∂L/∂h_{t−1}
      const norms = new Array<number>(T + 1).fill(0);
      gs.forEach((g, t) => {
        // δ_t enters step t; the last output is at step T−1, so the distance is T − t.
        norms[T - t] = tf.mean(tf.sqrt(tf.sum(tf.square(g), 1))).dataSync()[0];
      });
      return norms;
    });
  } finally {
    for (const t of Object.values(s0)) t.dispose();
  }
}
