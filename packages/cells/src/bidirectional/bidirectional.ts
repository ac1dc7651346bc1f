/**
 * `bidirectional(forwardCell, backwardCell, { merge })` — or `bidirectional(model)` with a
 * {@link BidirectionalModel} from `fromTorch(…, { bidirectional: true })` — runs a bidirectional
 * RNN over a finite stream.
 *
 * NOT streaming: the backward direction reads the sequence from its end, so the operator buffers
 * every value until the source completes, then runs both directions (see `runBidirectional`) and
 * emits the T merged outputs, in time order, all at completion. An infinite source never emits.
 *
 * Shape contract: in `[X]` or `[B, X]` per value (B fixed by the first value); out, per step, `[B, Y]`
 * with Y = Y_f + Y_b for `merge: 'concat'` (default), Y_f = Y_b for `'sum' | 'mul' | 'ave'`. With
 * `{ emit: 'step', state: true }` each emission is a StepOutput whose `state` holds every cell's
 * state after it read x_t (`0.forward.h`, `0.backward.h`, …): the forward final state is in the
 * last emission, the backward final state (PyTorch's h_n[1]) in the first.
 *
 * Buffered inputs and unemitted outputs are freed on complete, error and unsubscribe. The operator
 * does not own the cells: dispose them (or the model) yourself.
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { readRows } from '@rxrnn/core';
 * import { lstmCell, bidirectional } from '@rxrnn/cells';
 *
 * const fwd = lstmCell({ inputSize: 2, hiddenSize: 4, seed: 1 });
 * const bwd = lstmCell({ inputSize: 2, hiddenSize: 4, seed: 2 });
 * from([[1, 0], [0, 1], [1, 1]])
 *   .pipe(bidirectional(fwd, bwd, { merge: 'concat' }), readRows())
 *   .subscribe((y) => console.log(y[0])); // 3 rows of 8, emitted when the source completes
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { Observable, type OperatorFunction } from 'rxjs';
import { asBatch, markEmitted, discardEmitted, rxrnnError, ErrorCodes, describe, type Cell, type State, type StepOutput } from '@rxrnn/core';
import {
  checkBidirectionalLayers,
  checkMerge,
  runBidirectional,
  type BidirectionalLayer,
  type BidirectionalMerge,
  type BidirectionalModel,
  type BidirectionalRun,
} from './bidirectional-model.js';

export interface BidirectionalOptions {
  /** For two cells: how their outputs combine. Default `'concat'`. (A model carries its own merge.) */
  merge?: BidirectionalMerge;
  /** `'output'` (default) emits `y`; `'step'` emits a StepOutput. */
  emit?: 'output' | 'step';
  /** With `emit: 'step'`, include copies of every cell's state after step t. */
  state?: boolean;
}

type Opts = BidirectionalOptions & { emit?: 'output' };
type StepOpts = BidirectionalOptions & { emit: 'step' };

export function bidirectional(model: BidirectionalModel, options?: Opts): OperatorFunction<unknown, tf.Tensor2D>;
export function bidirectional(model: BidirectionalModel, options: StepOpts): OperatorFunction<unknown, StepOutput>;
export function bidirectional(forward: Cell, backward: Cell, options?: Opts): OperatorFunction<unknown, tf.Tensor2D>;
export function bidirectional(forward: Cell, backward: Cell, options: StepOpts): OperatorFunction<unknown, StepOutput>;
export function bidirectional(a: Cell | BidirectionalModel, b?: Cell | BidirectionalOptions, c?: BidirectionalOptions): OperatorFunction<unknown, tf.Tensor2D | StepOutput> {
  const fn = 'bidirectional';
  let layers: readonly BidirectionalLayer[];
  let merge: BidirectionalMerge;
  let options: BidirectionalOptions;
  let isLive: () => boolean;
  if (a && (a as BidirectionalModel).kind === 'bidirectional' && Array.isArray((a as BidirectionalModel).layers)) {
    const model = a as BidirectionalModel;
    options = (b as BidirectionalOptions | undefined) ?? {};
    if (options.merge !== undefined && options.merge !== model.merge) {
      throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.merge', `undefined or '${model.merge}' (the model's merge)`, describe(options.merge));
    }
    if (model.isDisposed) throw rxrnnError(ErrorCodes.DISPOSED, fn, 'model', 'a live model', 'a disposed model');
    layers = model.layers;
    merge = model.merge;
    isLive = () => !model.isDisposed;
  } else {
    options = c ?? {};
    merge = checkMerge(fn, options.merge ?? 'concat');
    layers = [{ forward: a as Cell, backward: b as Cell }];
    isLive = () => !(a as Cell).isDisposed && !(b as Cell).isDisposed;
  }
  const [inputSize] = checkBidirectionalLayers(fn, layers, merge);
  const emit = options.emit ?? 'output';
  if (emit !== 'output' && emit !== 'step') throw rxrnnError(ErrorCodes.UNKNOWN, fn, 'options.emit', "'output' or 'step'", describe(emit));
  const wantStates = emit === 'step' && !!options.state;

  return (source) =>
    new Observable<tf.Tensor2D | StepOutput>((subscriber) => {
      const buffer: tf.Tensor2D[] = []; // owned copies of x_1..x_t
      let batch = 0;
      let result: BidirectionalRun | null = null;
      let next = 0; // index of the next output to emit

      const freeBuffer = () => {
        for (const x of buffer) x.dispose();
        buffer.length = 0;
      };
      const freeUnemitted = () => {
        if (!result) return;
        for (let t = next; t < result.ys.length; t++) {
          result.ys[t].dispose();
          if (result.states) for (const s of Object.values(result.states[t])) s.dispose();
        }
        result = null;
      };

      const sub = source.subscribe({
        next(value) {
          if (subscriber.closed) return discardEmitted(value);
          try {
            const { x, owned } = asBatch(fn, 'x', stepValue(value), inputSize);
            const mine = owned ? x : tf.clone(x); // keep our own handle: the sender may dispose theirs
            if (buffer.length > 0 && mine.shape[0] !== batch) {
              mine.dispose();
              throw rxrnnError(ErrorCodes.SIZE, fn, 'x', `a batch of ${batch} (fixed by the first value)`, `a batch of ${x.shape[0]}`);
            }
            batch = mine.shape[0];
            buffer.push(mine);
          } catch (e) {
            subscriber.error(e);
          }
        },
        error: (e) => subscriber.error(e),
        complete() {
          try {
            if (buffer.length > 0 && !isLive()) throw rxrnnError(ErrorCodes.DISPOSED, fn, 'cell', 'live cells', 'a disposed cell');
            result = runBidirectional({ layers, merge }, buffer, { states: wantStates });
          } catch (e) {
            subscriber.error(e);
            return;
          } finally {
            freeBuffer();
          }
          const run = result;
          for (; next < run.ys.length && !subscriber.closed; ) {
            const t = next++;
            const y = markEmitted(run.ys[t]);
            if (emit === 'output') subscriber.next(y);
            else subscriber.next(run.states ? { y, state: run.states[t] as State } : { y });
          }
          freeUnemitted();
          subscriber.complete();
        },
      });

      return () => {
        sub.unsubscribe();
        freeBuffer();
        freeUnemitted();
      };
    });
}

/** A StepOutput from an upstream rxrnn operator contributes its `y`; its other tensors are freed. */
function stepValue(value: unknown): unknown {
  if (value && typeof value === 'object' && !(value instanceof tf.Tensor) && !ArrayBuffer.isView(value) && !Array.isArray(value) && 'y' in value) {
    const out = value as StepOutput;
    for (const t of Object.values(out.state ?? {})) t.dispose();
    for (const t of Object.values(out.extras ?? {})) t.dispose();
    return out.y;
  }
  return value;
}
