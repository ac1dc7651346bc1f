/**
 * `zoneout(cell, { h, c })`: Krueger et al.'s zoneout around any cell: at training time each unit
 * of the state entries `h` (rate `h`) and `c` (rate `c`) keeps its previous value with that
 * probability, per step; at inference the new value is the expectation z·h_{t−1} + (1 − z)·h̃_t.
 * Training is `ctx.training` (e.g. `recurrent(cell, { training: true, seed })`); randomness comes
 * from `ctx.rng`. Equations in `regularise-step.ts`.
 *
 * The wrapper owns the inner cell: parameters `inner.<name>`, config `config.inner`; the state is
 * the inner cell's. Extras (with `extras: true`, training) add the masks `zoneout.h`, `zoneout.c`.
 */
import { rxrnnError, ErrorCodes, describe, disposeStateExcept, type Cell, type State } from '@rxrnn/core';
import { zoneoutStep } from './regularise-step.js';
import { checkRate } from './variational-dropout-cell.js';
import { wrapCell, checkInnerCell } from '../shared/wrap-cell.js';

export interface ZoneoutOptions {
  /** Zoneout probability of the state entry `h`, in [0, 1). Default 0. */
  h?: number;
  /** Zoneout probability of the state entry `c` (LSTM cell), in [0, 1). Default 0. */
  c?: number;
}

export function zoneout<S extends State>(inner: Cell<S>, options: ZoneoutOptions = {}): Cell<S> {
  const fn = 'zoneout';
  checkInnerCell(fn, inner);
  if (options === null || typeof options !== 'object') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options', '{ h?, c? }', describe(options));
  for (const k of Object.keys(options)) if (k !== 'h' && k !== 'c') throw rxrnnError(ErrorCodes.ARGUMENT, fn, `options.${k}`, "one of 'h', 'c'", `unknown option "${k}"`);
  const rates: Record<string, number> = { h: checkRate(fn, 'options.h', options.h ?? 0), c: checkRate(fn, 'options.c', options.c ?? 0) };
  const probe = inner.initialState(1);
  const keys = Object.keys(probe);
  disposeStateExcept(probe);
  for (const [k, z] of Object.entries(rates)) {
    if (z > 0 && !keys.includes(k)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `options.${k}`, `0, or a state entry '${k}' in the inner cell (its state has ${keys.join(', ')})`, `${z}`);
  }
  return wrapCell<S>({
    kind: 'zoneout',
    inner,
    inputSize: inner.inputSize,
    outputSize: inner.outputSize,
    config: { h: rates.h, c: rates.c },
    initialState: (b) => inner.initialState(b),
    step: (_own, s, x, ctx) => zoneoutStep((st, xi, c) => inner.step(st as S, xi, c), rates, s, x, ctx) as ReturnType<Cell<S>['step']>,
  });
}
