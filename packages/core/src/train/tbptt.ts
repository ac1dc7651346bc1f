/**
 * Truncated BPTT(k1, k2) on a stream (Williams & Peng 1990): steps arrive one at a time; every k1
 * steps the trainer backpropagates through the last k2 steps (k2 ≥ k1), counting the loss of the
 * k1 new steps only. The state runs on across updates; the gradient stops k2 steps back.
 *
 * The window's start state is kept; an update re-runs the window from it with the current weights,
 * then moves the start forward by k1 steps (the state after those steps, a constant). With
 * k1 = k2 this is the usual chunked training with carried state.
 *
 * Shape contract: `push(x [B, X], target [B] | [B, Y], mask? [B])`; B fixed until `reset()`.
 * Plain object, no rxjs: {@link learnOnline} wraps it as an operator.
 */
import * as tf from '@tensorflow/tfjs';
import type { State } from '../cell.js';
import { rxrnnError, ErrorCodes, describe } from '../errors.js';
import type { Trainer, TrainStep } from './trainer.js';

export interface TbpttOptions {
  /** Update every k1 steps. */
  k1: number;
  /** Backpropagate through k2 ≥ k1 steps. Default k1. */
  k2?: number;
}

export interface TbpttSession {
  /** Add one step (copied; the caller keeps its tensors). Returns the update's report every k1 steps, else null. */
  push(x: tf.Tensor2D, target: tf.Tensor, mask?: tf.Tensor1D): TrainStep | null;
  /** Update on the steps pushed since the last update (if any), e.g. at the end of a stream. */
  flush(): TrainStep | null;
  /** Forget the carried state and the window. */
  reset(): void;
  /** Steps since the last update. */
  readonly pending: number;
  /** Free everything held. Idempotent. */
  dispose(): void;
}

export function createTbptt(trainer: Trainer, options: TbpttOptions): TbpttSession {
  const fn = 'createTbptt';
  const k1 = options?.k1;
  const k2 = options?.k2 ?? k1;
  if (!Number.isInteger(k1) || k1 < 1) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.k1', 'a positive integer', describe(k1));
  if (!Number.isInteger(k2) || k2 < k1) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.k2', `an integer ≥ k1 (${k1})`, describe(k2));
  type Item = { x: tf.Tensor2D; t: tf.Tensor; m: tf.Tensor1D | null };
  let window: Item[] = [];
  let start: State | null = null; // state before window[0]
  let pending = 0;
  let batch = 0;
  let disposed = false;

  const free = (items: Item[]) => items.forEach((i) => (i.x.dispose(), i.t.dispose(), i.m?.dispose()));
  const freeState = (s: State | null) => s && Object.values(s).forEach((t) => t.dispose());

  const update = (): TrainStep | null => {
    if (pending === 0) return null;
    const L = window.length;
    // The next window keeps the last min(L, k2 − k1) steps; it starts after the others.
    const keepAfter = L - Math.min(L, k2 - k1);
    const anyMask = window.some((i) => i.m);
    const batchT = tf.tidy(() => ({
      inputs: tf.stack(window.map((i) => i.x)) as tf.Tensor3D, // [L, B, X]
      targets: tf.stack(window.map((i) => i.t)), // [L, B] or [L, B, Y]
      mask: anyMask ? (tf.stack(window.map((i) => i.m ?? tf.ones([batch]))) as tf.Tensor2D) : undefined, // [L, B]
    }));
    try {
      const r = trainer.trainBatch(batchT, { initialState: start ?? undefined, lossFrom: L - pending, keepAfter: keepAfter > 0 ? keepAfter : undefined });
      // The next window starts after `keepAfter` steps of this one.
      if (keepAfter > 0 && r.at) {
        freeState(start);
        start = r.at;
        free(window.slice(0, keepAfter));
        window = window.slice(keepAfter);
      }
      pending = 0;
      const { step, loss, gradNorm, lr, tokens } = r;
      return { step, loss, gradNorm, lr, tokens };
    } finally {
      tf.dispose([batchT.inputs, batchT.targets, ...(batchT.mask ? [batchT.mask] : [])]);
    }
  };

  return {
    push(x, target, mask) {
      if (disposed) throw rxrnnError(ErrorCodes.DISPOSED, 'tbptt.push', 'session', 'a live session', 'a disposed session');
      if (!(x instanceof tf.Tensor) || x.rank !== 2) throw rxrnnError(ErrorCodes.SHAPE, 'tbptt.push', 'x', 'a tensor of shape [B, X]', describe(x));
      const B = x.shape[0];
      if (batch === 0) batch = B;
      else if (B !== batch) throw rxrnnError(ErrorCodes.SIZE, 'tbptt.push', 'x', `a batch of ${batch} (fixed until reset)`, `a batch of ${B}`);
      if (!(target instanceof tf.Tensor) || target.shape[0] !== B) throw rxrnnError(ErrorCodes.SHAPE, 'tbptt.push', 'target', `a tensor with ${B} rows`, describe(target));
      if (mask !== undefined && (!(mask instanceof tf.Tensor) || mask.rank !== 1 || mask.shape[0] !== B)) throw rxrnnError(ErrorCodes.SHAPE, 'tbptt.push', 'mask', `a tensor of shape [${B}]`, describe(mask));
      window.push({ x: x.clone(), t: target.clone(), m: mask ? mask.clone() : null });
      pending++;
      return pending === k1 ? update() : null;
    },
    flush: () => (disposed ? null : update()),
    reset() {
      free(window);
      window = [];
      freeState(start);
      start = null;
      pending = 0;
      batch = 0;
    },
    get pending() {
      return pending;
    },
    dispose() {
      if (disposed) return;
      this.reset();
      disposed = true;
    },
  };
}
