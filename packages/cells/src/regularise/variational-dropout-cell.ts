/**
 * `variationalDropout(cell, { input, recurrent })`: Gal & Ghahramani's variational dropout around
 * any cell whose state has an `h` (or `stateKey`) entry — one mask per sequence on the input and
 * on h, active only when `ctx.training` (e.g. `recurrent(cell, { training: true, seed })`), the
 * identity at inference. Equations and state layout in `regularise-step.ts`.
 *
 * The wrapper owns the inner cell: parameters `inner.<name>`, config `config.inner`; its state is
 * the inner state plus `dropout.input` [B, X], `dropout.recurrent` [B, H], `dropout.ready` [B, 1].
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, disposeStateExcept, type Cell, type State } from '@rxrnn/core';
import { variationalDropoutStep, DROPOUT_KEYS } from './regularise-step.js';
import { wrapCell, checkInnerCell } from '../shared/wrap-cell.js';

export interface VariationalDropoutOptions {
  /** Dropout rate on the input x_t, in [0, 1). Default 0. */
  input?: number;
  /** Dropout rate on the recurrent state entry, in [0, 1). Default 0. */
  recurrent?: number;
  /** The inner state entry the recurrent mask applies to. Default `'h'`. */
  stateKey?: string;
}

/** Throw unless `p` is a rate in [0, 1). */
export function checkRate(fn: string, arg: string, p: unknown): number {
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, arg, 'a rate in [0, 1)', describe(p));
  return p;
}

export function variationalDropout(inner: Cell, options: VariationalDropoutOptions = {}): Cell {
  const fn = 'variationalDropout';
  checkInnerCell(fn, inner);
  const input = checkRate(fn, 'options.input', options.input ?? 0);
  const recurrent = checkRate(fn, 'options.recurrent', options.recurrent ?? 0);
  const stateKey = options.stateKey ?? 'h';
  if (typeof stateKey !== 'string') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.stateKey', 'a string', describe(stateKey));
  // The size of the recurrent entry, read from a probe state of batch 1.
  const probe = inner.initialState(1);
  const entry = probe[stateKey];
  const keys = Object.keys(probe);
  const H = entry?.shape.length === 2 ? entry.shape[1] : 0;
  disposeStateExcept(probe);
  if (recurrent > 0 && !H) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.stateKey', `an entry [B, n] of the inner state (${keys.join(', ')})`, JSON.stringify(stateKey));
  if (keys.some((k) => k.startsWith('dropout.'))) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'cell', "a cell whose state has no 'dropout.' entries (do not nest variationalDropout)", `a state with ${keys.join(', ')}`);
  const X = inner.inputSize;
  return wrapCell<State>({
    kind: 'variational-dropout',
    inner,
    inputSize: X,
    outputSize: inner.outputSize,
    config: { input, recurrent, stateKey },
    initialState: (b) => ({
      ...inner.initialState(b),
      [DROPOUT_KEYS.input]: tf.ones([b, X]),
      [DROPOUT_KEYS.recurrent]: tf.ones([b, Math.max(H, 1)]),
      [DROPOUT_KEYS.ready]: tf.zeros([b, 1]),
    }),
    step: (_own, s, x, ctx) => variationalDropoutStep((st, xi, c) => inner.step(st, xi, c), { input, recurrent, stateKey }, s, x, ctx),
  });
}
