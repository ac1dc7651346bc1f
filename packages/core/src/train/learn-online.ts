/**
 * `learnOnline`: train a model on a live stream of (input, target) pairs, as they arrive, by
 * truncated BPTT on the stream itself: every k1 steps it backpropagates through the last k2 and
 * updates the weights (see {@link createTbptt}), emitting the update's report (loss, gradient
 * norm, learning rate, step).
 *
 * Shape contract: each value is `{ x, target, mask? }` for one time step: `x` `[X]` or `[B, X]`
 * (tensor or array, as `recurrent()` accepts), `target` `[B]` ids or `[B, Y]` (tensor or array),
 * `mask` `[B]` optional. Emits a {@link TrainStep} per update (plain numbers, nothing to free).
 * What is left in the window updates the model once more on complete. Everything held is freed on
 * complete, error and unsubscribe; the trainer and its cell belong to the caller.
 *
 * ```ts
 * const trainer = createTrainer({ cell, optimizer: { kind: 'adam', lr: 1e-2 }, clipNorm: 1 });
 * pairs$.pipe(learnOnline(trainer, { k1: 20, k2: 40 }))
 *   .subscribe(({ step, loss }) => console.log(step, loss));
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { Observable, type OperatorFunction } from 'rxjs';
import { asBatch } from '../as-batch.js';
import { rxrnnError, ErrorCodes, describe } from '../errors.js';
import type { Trainer, TrainStep } from './trainer.js';
import { createTbptt, type TbpttOptions } from './tbptt.js';

/** One time step of a supervised stream. */
export interface OnlinePair {
  x: unknown;
  target: tf.Tensor | number | readonly number[] | readonly (readonly number[])[];
  mask?: tf.Tensor1D | readonly number[];
}

export interface LearnOnlineOptions extends TbpttOptions {
  /** Update on the steps left in the window when the stream completes. Default true. */
  flushOnComplete?: boolean;
}

export function learnOnline(trainer: Trainer, options: LearnOnlineOptions): OperatorFunction<OnlinePair, TrainStep> {
  const fn = 'learnOnline';
  if (!trainer || typeof trainer.trainBatch !== 'function') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'trainer', 'a Trainer (createTrainer)', describe(trainer));
  // Validate k1/k2 now, not on subscription.
  createTbptt(trainer, options).dispose();
  const inputSize = trainer.cell.inputSize;
  return (source) =>
    new Observable<TrainStep>((subscriber) => {
      const session = createTbptt(trainer, options);
      const sub = source.subscribe({
        next(pair) {
          if (subscriber.closed) return;
          const made: tf.Tensor[] = [];
          try {
            if (!pair || typeof pair !== 'object' || !('x' in pair) || !('target' in pair)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'value', '{ x, target, mask? }', describe(pair));
            const { x, owned } = asBatch(fn, 'value.x', pair.x, inputSize);
            if (owned) made.push(x);
            const t = pair.target instanceof tf.Tensor ? pair.target : tf.tensor(pair.target as number[]);
            if (t !== pair.target) made.push(t);
            const target = t.rank === 0 ? tf.reshape(t, [1]) : t;
            if (target !== t) made.push(target);
            let mask: tf.Tensor1D | undefined;
            if (pair.mask !== undefined) {
              mask = pair.mask instanceof tf.Tensor ? pair.mask : tf.tensor1d(pair.mask as number[]);
              if (mask !== pair.mask) made.push(mask);
            }
            const r = session.push(x, target, mask);
            tf.dispose(made);
            made.length = 0;
            if (r) subscriber.next(r);
          } catch (e) {
            tf.dispose(made);
            subscriber.error(e);
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          try {
            const r = options.flushOnComplete === false ? null : session.flush();
            if (r) subscriber.next(r);
            subscriber.complete();
          } catch (e) {
            subscriber.error(e);
          }
        },
      });
      return () => {
        sub.unsubscribe();
        session.dispose();
      };
    });
}
