/**
 * `wrapCell`: the common frame of cells that wrap another cell (residual, variational dropout,
 * zoneout). The wrapper takes ownership of the inner cell: its parameters appear prefixed
 * (`inner.kernel`, …), its config sits inside the wrapper's (`config.inner`), and `dispose()`
 * frees both the wrapper's own parameters and the inner cell.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, type Cell, type CellConfig, type ParamInit, type State, type StepContext, type StepResult } from '@rxrnn/core';

export interface WrapCellSpec<S extends State> {
  kind: string;
  inner: Cell;
  inputSize: number;
  outputSize: number;
  /** The wrapper's own options (the inner config is added as `inner`). */
  config: Record<string, unknown>;
  /** The wrapper's own parameters (not prefixed). */
  params?: Record<string, ParamInit>;
  initialState: (batch: number) => S;
  step: (own: Record<string, tf.Variable>, state: S, x: tf.Tensor2D, ctx: StepContext) => StepResult<S>;
}

/** Throw unless `inner` looks like a live Cell. */
export function checkInnerCell(fn: string, inner: unknown): asserts inner is Cell {
  const c = inner as Cell | null | undefined;
  if (!c || typeof c !== 'object' || typeof c.step !== 'function' || typeof c.initialState !== 'function' || typeof c.params !== 'object') {
    throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'cell', 'a Cell (with step, initialState and params)', describe(inner));
  }
  if (c.isDisposed) throw rxrnnError(ErrorCodes.DISPOSED, fn, 'cell', 'a live cell', 'a disposed cell');
}

export function wrapCell<S extends State>(spec: WrapCellSpec<S>): Cell<S> {
  const { kind, inner } = spec;
  const own: Record<string, tf.Variable> = {};
  for (const [name, init] of Object.entries(spec.params ?? {})) {
    own[name] = init instanceof tf.Tensor ? tf.variable(init.clone(), true) : tf.tidy(() => tf.variable(tf.tensor(init.data, init.shape), true));
  }
  const params: Record<string, tf.Variable> = { ...own };
  for (const [name, v] of Object.entries(inner.params)) params[`inner.${name}`] = v;
  let disposed = false;
  const live = (what: string) => {
    if (disposed || inner.isDisposed) throw rxrnnError(ErrorCodes.DISPOSED, `${kind}.${what}`, 'cell', 'a live cell', 'a disposed cell');
  };
  const config: CellConfig = { ...spec.config, inner: inner.config, kind };
  return {
    kind,
    inputSize: spec.inputSize,
    outputSize: spec.outputSize,
    config,
    params,
    initialState: (batch) => {
      live('initialState');
      return spec.initialState(batch);
    },
    step: (state, x, ctx = {}) => {
      live('step');
      return spec.step(own, state, x, ctx);
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      for (const v of Object.values(own)) v.dispose();
      inner.dispose();
    },
    get isDisposed() {
      return disposed;
    },
  };
}
