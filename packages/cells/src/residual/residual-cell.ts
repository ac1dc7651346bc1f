/**
 * `residualCell(inner)`: a residual connection around any cell (equations in `residual-step.ts`):
 * y_t = x_t + inner(x_t) when the inner cell's input and output sizes match, y_t = x_t P + inner(x_t)
 * with a learned projection P [X, Y] (parameter `projection`, Glorot-uniform) otherwise.
 *
 * The wrapper owns the inner cell: its parameters appear as `inner.<name>`, its config as
 * `config.inner`, its state unchanged; `dispose()` frees both.
 */
import type * as tf from '@tensorflow/tfjs';
import { createRng, glorotUniform, type Cell, type ParamInit, type State } from '@rxrnn/core';
import { residualStep } from './residual-step.js';
import { wrapCell, checkInnerCell } from '../shared/wrap-cell.js';
import { param, checkWeightNames, type WeightsInput } from '../shared/weights.js';

export interface ResidualCellOptions {
  /** Seed of the projection's initialiser (used only when sizes differ). */
  seed?: number;
  /** `projection` [X, Y] when sizes differ. */
  weights?: WeightsInput;
}

export function residualCell<S extends State>(inner: Cell<S>, options: ResidualCellOptions = {}): Cell<S> {
  const fn = 'residualCell';
  checkInnerCell(fn, inner);
  const X = inner.inputSize;
  const Y = inner.outputSize;
  const projected = X !== Y;
  checkWeightNames(fn, options.weights, projected ? ['projection'] : []);
  const rng = createRng(options.seed ?? 0);
  const params: Record<string, ParamInit> = projected ? { projection: param(fn, options.weights, 'projection', [X, Y], () => glorotUniform(rng, X, Y)) } : {};
  return wrapCell<S>({
    kind: 'residual',
    inner,
    inputSize: X,
    outputSize: Y,
    config: { projected },
    params,
    initialState: (b) => inner.initialState(b),
    step: (own, s, x, ctx) => residualStep<S>((st, xi, c) => inner.step(st, xi, c), own.projection as tf.Tensor2D | undefined, s, x, ctx),
  });
}
