/**
 * Turn any {@link Cell} into an RxJS operator that steps once per value.
 *
 * Shape contract: each value is one time step, `[X]` (a batch of one) or `[B, X]`, as a tensor,
 * Float32Array, number[] or number[][]; each emission is the step's output `[B, Y]` as a tensor
 * (or, with `emit: 'step'`, a {@link StepOutput} with the state and extras too). The batch size is
 * fixed by the first value (or the initial state) until a reset.
 *
 * State lives in the subscription: created on the first value, carried between values, disposed
 * on complete, error and unsubscribe. Emitted tensors belong to the receiver: pass them to another
 * rxrnn operator (which frees them after use), read them out with `readRows()`/`toFloat32()`
 * (which free them), or dispose them yourself.
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { recurrent, readRows } from '@rxrnn/core';
 * import { lstmCell } from '@rxrnn/cells';
 *
 * const cell = lstmCell({ inputSize: 2, hiddenSize: 4, seed: 1 });
 * from([[1, 0], [0, 1], [1, 1]])
 *   .pipe(recurrent(cell), readRows())
 *   .subscribe((y) => console.log(y)); // [[h1, h2, h3, h4]] per step
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { Observable, type OperatorFunction, type Subscription } from 'rxjs';
import type { Cell, Extras, State, StepContext } from './cell.js';
import { asBatch, markEmitted, discardEmitted } from './as-batch.js';
import { snapshotState, restoreState, disposeStateExcept, type StateSnapshot } from './snapshot.js';
import type { RecurrentControl } from './control.js';
import { createRng } from './rng.js';
import { rxrnnError, ErrorCodes, describe } from './errors.js';

/** One step's full result, emitted with `emit: 'step'`. All tensors belong to the receiver. */
export interface StepOutput {
  /** The output `[B, Y]`. */
  y: tf.Tensor2D;
  /** A copy of the state after the step (with `state: true`). */
  state?: State;
  /** Gate activations and the like (with `extras: true`). */
  extras?: Extras;
}

export interface RecurrentOptions {
  /** The state to start from: a snapshot, or a function of the batch size. Default: the cell's initial state. */
  initialState?: StateSnapshot | ((batch: number) => State);
  /** `'output'` (default) emits `y`; `'step'` emits a {@link StepOutput}. */
  emit?: 'output' | 'step';
  /** With `emit: 'step'`, include a copy of the state. */
  state?: boolean;
  /** With `emit: 'step'`, ask the cell for its extras (gate activations, attention…). */
  extras?: boolean;
  /** Each emission resets the state before the next input. */
  reset$?: Observable<unknown>;
  /** A handle to reset/snapshot/restore the live stream (see {@link createControl}). */
  control?: RecurrentControl;
  /** Training mode (dropout, zoneout). Default false. */
  training?: boolean;
  /** Seed for training-time noise. Default 0. */
  seed?: number;
  /** Check tensor inputs for NaN/Infinity (costs a read-back per step). Arrays are always checked. Default false. */
  checkTensorValues?: boolean;
}

export function recurrent<S extends State>(cell: Cell<S>, options?: RecurrentOptions & { emit?: 'output' }): OperatorFunction<unknown, tf.Tensor2D>;
export function recurrent<S extends State>(cell: Cell<S>, options: RecurrentOptions & { emit: 'step' }): OperatorFunction<unknown, StepOutput>;
export function recurrent<S extends State>(cell: Cell<S>, options: RecurrentOptions = {}): OperatorFunction<unknown, tf.Tensor2D | StepOutput> {
  const fn = `recurrent(${cell?.kind ?? '?'})`;
  if (!cell || typeof cell.step !== 'function' || typeof cell.initialState !== 'function') {
    throw rxrnnError(ErrorCodes.ARGUMENT, 'recurrent', 'cell', 'a Cell (with step and initialState)', describe(cell));
  }
  const emit = options.emit ?? 'output';
  if (emit !== 'output' && emit !== 'step') throw rxrnnError(ErrorCodes.UNKNOWN, 'recurrent', 'options.emit', "'output' or 'step'", describe(emit));

  return (source) =>
    new Observable<tf.Tensor2D | StepOutput>((subscriber) => {
      // ---- state of this subscription, released in the teardown ----
      let state: S | null = null;
      let batch = 0;
      const rng = createRng(options.seed ?? 0);
      const ctx: StepContext = { training: options.training ?? false, rng, extras: emit === 'step' && !!options.extras };
      let resetSub: Subscription | undefined;
      let detach: (() => void) | undefined;

      const dropState = () => {
        disposeStateExcept(state);
        state = null;
        batch = 0;
      };
      const startState = (b: number): S => {
        const init = options.initialState;
        if (init === undefined) return cell.initialState(b);
        if (typeof init === 'function') return init(b) as S;
        // The input's batch is checked first: the snapshot is then validated against it before any tensor is made.
        if (typeof init.batch === 'number' && init.batch !== b) throw rxrnnError(ErrorCodes.SIZE, fn, 'x', `a batch of ${init.batch} (the initial state's)`, `a batch of ${b}`);
        return restoreState(fn, init, cell.kind, cell, { batch: b }) as S;
      };

      if (options.reset$) resetSub = options.reset$.subscribe({ next: dropState, error: (e) => subscriber.error(e) });
      if (options.control) {
        detach = options.control.attach({
          reset: dropState,
          snapshot: () => (state ? snapshotState(cell.kind, state, batch) : null),
          restore: (snap) => {
            const restored = restoreState(`control.restore(${cell.kind})`, snap, cell.kind, cell) as S;
            dropState();
            state = restored;
            batch = snap.batch;
          },
        });
      }

      const sourceSub = source.subscribe({
        next(value) {
          // A synchronous source may keep emitting after the consumer has gone (take(n)).
          if (subscriber.closed) return discardEmitted(value);
          let x: tf.Tensor2D | null = null;
          let owned = false;
          try {
            ({ x, owned } = asBatch(fn, 'x', stepValue(value), cell.inputSize, options.checkTensorValues));
            const b = x.shape[0];
            if (state === null) {
              state = startState(b);
              batch = b;
            } else if (b !== batch) {
              throw rxrnnError(ErrorCodes.SIZE, fn, 'x', `a batch of ${batch} (fixed until reset)`, `a batch of ${b}`);
            }
            const prev: S = state;
            const input = x;
            const [y, next, extras] = tf.tidy(() => {
              const [y1, s1, e1] = cell.step(prev, input, ctx);
              // The output is often a state tensor too (y = h): emit a clone, which shares the
              // data, so that whoever frees y cannot free the state.
              // Likewise extras that are state tensors (an LSTM's c).
              const inState = new Set<tf.Tensor>(Object.values(s1));
              const y2 = inState.has(y1) ? tf.clone(y1) : y1;
              const e2: Extras = {};
              for (const [k, t] of Object.entries(e1 ?? {})) e2[k] = inState.has(t) || t === y2 ? tf.clone(t) : t;
              return [y2, s1, e2] as [tf.Tensor2D, S, Extras];
            });
            disposeStateExcept(prev, next);
            state = next;
            if (owned) x.dispose();
            x = null;
            if (emit === 'output') {
              subscriber.next(markEmitted(y));
            } else {
              const out: StepOutput = { y: markEmitted(y) };
              if (options.state) out.state = Object.fromEntries(Object.entries(next).map(([k, t]) => [k, t.clone()]));
              if (options.extras) out.extras = extras;
              else for (const t of Object.values(extras)) t.dispose();
              subscriber.next(out);
            }
          } catch (e) {
            if (x && owned) x.dispose();
            subscriber.error(e);
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });

      return () => {
        sourceSub.unsubscribe();
        resetSub?.unsubscribe();
        detach?.();
        dropState();
      };
    });
}

/** A {@link StepOutput} from an upstream rxrnn operator contributes its `y`; the rest is freed. */
function stepValue(value: unknown): unknown {
  if (value && typeof value === 'object' && !(value instanceof tf.Tensor) && !ArrayBuffer.isView(value) && !Array.isArray(value) && 'y' in value) {
    const out = value as StepOutput;
    if (out.state) disposeStateExcept(out.state);
    if (out.extras) for (const t of Object.values(out.extras)) t.dispose();
    return out.y;
  }
  return value;
}
