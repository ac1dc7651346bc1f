/**
 * `runSequence(cell, x, state?)`: run any cell over a whole sequence `x` [T, B, X], in one fused
 * WASM call when the kernels cover the cell (lstm with or without projection, the lstm-variants
 * 'vanilla', 'NP' and 'CIFG', gru, rnn with tanh/relu, default activations), otherwise by unrolling
 * `cell.step` with tfjs ops. Differentiable either
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
import type { Cell, State } from '@rxrnn/core';
import { kernels } from './wasm/runtime.js';
import { checkTensor } from './shared.js';
import { lstmSequence, type LstmSequenceParams } from './lstm/lstm-fused.js';
import { gruSequence, type GruSequenceParams } from './gru/gru-fused.js';
import { rnnSequence, type RnnSequenceParams } from './rnn/rnn-fused.js';
import { lstmVariantSequence, type FusedLstmVariant, type LstmVariantSequenceParams } from './lstm-variant/lstm-variant-fused.js';
import { unsupported } from './support.js';

export interface RunSequenceResult<S extends State = State> {
  ys: tf.Tensor3D; // [T, B, Y]
  state: S;
  fused: boolean;
}

export function runSequence<S extends State>(cell: Cell<S>, x: tf.Tensor3D, state?: S): RunSequenceResult<S> {
  const fn = 'runSequence';
  checkTensor(fn, 'x', x, [-1, -1, cell?.inputSize ?? -1], `[T, B, ${cell?.inputSize}]`);
  const c = cell.config as Record<string, unknown>;
  if (!unsupported(cell) && kernels()) {
    const p = cell.params as unknown as Record<string, tf.Tensor>;
    const s = state as unknown as Record<string, tf.Tensor2D> | undefined;
    if (cell.kind === 'lstm') {
      const r = lstmSequence(p as unknown as LstmSequenceParams, x, s?.h, s?.c);
      return { ys: r.ys, state: { h: r.hT, c: r.cT } as unknown as S, fused: true };
    }
    if (cell.kind === 'lstm-variant') {
      const r = lstmVariantSequence(p as unknown as LstmVariantSequenceParams, x, s?.h, s?.c, { variant: c.variant as FusedLstmVariant });
      return { ys: r.ys, state: { h: r.hT, c: r.cT } as unknown as S, fused: true };
    }
    if (cell.kind === 'gru') {
      const r = gruSequence(p as unknown as GruSequenceParams, x, s?.h, { resetAfter: (c.resetAfter as boolean | undefined) ?? true });
      return { ys: r.ys, state: { h: r.hT } as unknown as S, fused: true };
    }
    const r = rnnSequence(p as unknown as RnnSequenceParams, x, s?.h, { activation: c.activation === 'relu' ? 'relu' : 'tanh' });
    return { ys: r.ys, state: { h: r.hT } as unknown as S, fused: true };
  }
  // the tfjs step, unrolled
  return tf.tidy(() => {
    let s: S = state ?? cell.initialState(x.shape[1]);
    const ys: tf.Tensor[] = [];
    for (let t = 0; t < x.shape[0]; t++) {
      const [y, next] = cell.step(s, tf.reshape(tf.slice(x, [t, 0, 0], [1, -1, -1]), [x.shape[1], x.shape[2]]) as tf.Tensor2D);
      ys.push(y);
      s = next;
    }
    return { ys: tf.stack(ys) as tf.Tensor3D, state: s, fused: false };
  });
}
