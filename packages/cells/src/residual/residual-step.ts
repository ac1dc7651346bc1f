/**
 * Residual step around a recurrent cell (the identity/projection shortcut of He, Zhang, Ren & Sun
 * 2016, "Deep Residual Learning", eq. 1–2, as used between recurrent layers by Wu et al. 2016,
 * GNMT §3.2):
 *
 *     ŷ_t, s_t = inner(s_{t−1}, x_t)
 *     y_t = x_t + ŷ_t            when X = Y (identity shortcut)
 *     y_t = x_t P + ŷ_t          otherwise, P [X, Y] a learned linear projection (no bias)
 *
 * The shortcut touches the output only: the inner cell's state (and so its recurrence) is
 * unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import type { State, StepContext, StepResult } from '@rxrnn/core';

export type InnerStep<S extends State> = (state: S, x: tf.Tensor2D, ctx: StepContext) => StepResult<S>;

export function residualStep<S extends State>(inner: InnerStep<S>, projection: tf.Tensor2D | undefined, s: S, x: tf.Tensor2D, ctx: StepContext): StepResult<S> {
  const [yi, next, extras] = inner(s, x, ctx); // yi: [B, Y]
  const shortcut = projection ? tf.matMul(x, projection) : x; // [B, Y]
  const y = tf.add(shortcut, yi) as tf.Tensor2D; // [B, Y]
  return [y, next, extras];
}
