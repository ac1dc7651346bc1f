/**
 * `fuseCell(cell)`: the same cell, with a step that runs one fused WebAssembly SIMD call.
 *
 * Takes an `lstm`, `gru` or `rnn` cell of @rxrnn/cells, an `lstm-variant` cell of the variants
 * 'vanilla' (peephole LSTM), 'NP' or 'CIFG', or a `dense` one (whose chunks — all T·B rows at
 * once — then run through {@link affine}), and returns a {@link Cell} with the same
 * kind, config and parameters (the very same tf.Variables: names, layout and gate order are
 * unchanged, so optimisers, snapshots and the model format keep working) whose `step` keeps the
 * weights resident in WASM memory (re-uploaded only after a Variable is assigned) and runs the whole
 * step in one call. Under a gradient tape the step is differentiable (a `tf.customGrad` with a
 * hand-written backward). LSTM with a projection (LSTMP) is fused too. Cells or options the kernels
 * do not cover (activations other than sigmoid/tanh, RNN extras, the other lstm-variants, WebAssembly
 * without SIMD) keep the original tfjs step, with identical results; `fused` says which path a cell takes and `reason` why not.
 *
 * Ownership: the returned cell owns the original; `dispose()` frees the WASM copies and the cell.
 *
 * ```ts
 * import { lstmCell, lstm } from '@rxrnn/cells';
 * import { fuseCell } from '@rxrnn/kernels';
 *
 * const cell = fuseCell(lstmCell({ inputSize: 128, hiddenSize: 512 }));
 * input$.pipe(lstm(cell)); // the usual operator; each step is now one WASM call
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, getActivation, unrollSteps, type Activation, type Cell, type SequenceResult, type State, type StepResult } from '@rxrnn/core';
import { kernels, kernelsUnavailableReason, Resident, type KernelRuntime } from './wasm/runtime.js';
import { lstmFusedStep, type LstmSequenceParams } from './lstm/lstm-fused.js';
import { gruFusedStep, type GruSequenceParams } from './gru/gru-fused.js';
import { rnnFusedStep, type RnnSequenceParams } from './rnn/rnn-fused.js';
import { hasVariantKernels, lstmVariantCellSequence, lstmVariantFusedStep, type FusedLstmVariant, type LstmVariantSequenceParams } from './lstm-variant/lstm-variant-fused.js';
import { runSequence } from './run-sequence.js';
import { affine } from './dense/affine.js';
import { unsupported } from './support.js';

/** A cell returned by {@link fuseCell}. */
export interface FusedCell<S extends State = State> extends Cell<S> {
  /** True when `step` runs the WASM kernel; false when it is the original tfjs step. */
  readonly fused: boolean;
  /** Why the cell is not fused (null when it is). */
  readonly reason: string | null;
  /** The wrapped cell. */
  readonly base: Cell<S>;
}

type Stepper = (state: State, x: tf.Tensor2D, extras: boolean) => StepResult | null;

function makeStepper(rt: KernelRuntime, cell: Cell, res: Resident[]): Stepper {
  const p = cell.params as Record<string, tf.Variable>;
  const r = (name: string) => {
    const x = new Resident(rt);
    res.push(x);
    return name in p ? x : (null as unknown as Resident);
  };
  switch (cell.kind) {
    case 'dense':
      return () => null; // a dense step is one small matMul: the tfjs step (the chunk is fused, below)
    case 'lstm': {
      const rr = { kernel: r('kernel'), recurrentKernel: r('recurrentKernel'), bias: r('bias'), projection: r('projection') };
      return (s, x, extras) => lstmFusedStep(rt, p as unknown as LstmSequenceParams, rr, s as { h: tf.Tensor2D; c: tf.Tensor2D }, x, extras) as unknown as StepResult;
    }
    case 'lstm-variant': {
      const variant = (cell.config as unknown as { variant: FusedLstmVariant }).variant;
      // (r gives null for a peephole the variant lacks: NP has none, CIFG no peepholeF)
      const rr = { kernel: r('kernel'), recurrentKernel: r('recurrentKernel'), bias: r('bias'), peepholeI: r('peepholeI'), peepholeF: r('peepholeF'), peepholeO: r('peepholeO') };
      return (s, x, extras) => lstmVariantFusedStep(rt, variant, p as unknown as LstmVariantSequenceParams, rr, s as { h: tf.Tensor2D; c: tf.Tensor2D }, x, extras) as unknown as StepResult;
    }
    case 'gru': {
      const resetAfter = (cell.config as { resetAfter?: boolean }).resetAfter ?? true;
      const rr = { kernel: r('kernel'), recurrentKernel: r('recurrentKernel'), bias: r('bias'), recurrentBias: r('recurrentBias') };
      return (s, x, extras) => gruFusedStep(rt, p as unknown as GruSequenceParams, rr, resetAfter, s as { h: tf.Tensor2D }, x, extras) as unknown as StepResult;
    }
    default: {
      const act = (cell.config as { activation?: string }).activation === 'relu' ? 1 : 0;
      const rr = { kernel: r('kernel'), recurrentKernel: r('recurrentKernel'), bias: r('bias') };
      return (s, x, extras) => (extras ? null : (rnnFusedStep(rt, p as unknown as RnnSequenceParams, rr, act, s as { h: tf.Tensor2D }, x) as unknown as StepResult));
    }
  }
}

/** A dense cell's whole chunk: [T·B, X] rows through {@link affine}, then φ. */
function denseSequence(cell: Cell): (state: State, xs: tf.Tensor3D) => SequenceResult {
  const name = (cell.config as { activation?: string }).activation ?? 'linear';
  const phi = name === 'softmax' ? (t: tf.Tensor) => tf.softmax(t) : getActivation(name as Activation, 'fuseCell', 'cell.config.activation');
  const p = cell.params as unknown as { kernel: tf.Tensor2D; bias: tf.Tensor1D };
  return (state, xs) => {
    const [T, B, X] = xs.shape;
    const Y = cell.outputSize;
    const ys = tf.tidy(() => tf.reshape(phi(affine(tf.reshape(xs, [T * B, X]), p.kernel, p.bias)), [T, B, Y]) as tf.Tensor3D); // [T, B, Y]
    return [ys, state];
  };
}

function checkStepInput(cell: Cell, state: State, x: tf.Tensor2D): void {
  const fn = `${cell.kind}.step`;
  if (!(x && x.rank === 2 && x.shape[1] === cell.inputSize && x.dtype === 'float32')) throw rxrnnError(ErrorCodes.SHAPE, fn, 'x', `a float32 tensor of shape [B, ${cell.inputSize}]`, describe(x));
  for (const [name, t] of Object.entries(state)) {
    if (!(t && t.rank === 2 && t.shape[0] === x.shape[0])) throw rxrnnError(ErrorCodes.SHAPE, fn, `state.${name}`, `a tensor of shape [${x.shape[0]}, ·]`, describe(t));
  }
}

/** Wrap `cell` so its step runs the fused kernel (see the module doc). */
export function fuseCell<S extends State>(cell: Cell<S>): FusedCell<S> {
  const fn = 'fuseCell';
  if (!cell || typeof cell !== 'object' || typeof cell.step !== 'function' || typeof cell.kind !== 'string') {
    throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'cell', 'a Cell (lstmCell, gruCell, rnnCell of @rxrnn/cells)', describe(cell));
  }
  if (cell.isDisposed) throw rxrnnError(ErrorCodes.DISPOSED, fn, 'cell', 'a live cell', 'a disposed cell');
  if (isFused(cell)) return cell; // already wrapped (the cells of @rxrnn/cells are, by default)
  let reason = unsupported(cell);
  let rt = reason ? null : kernels();
  if (!reason && !rt) reason = `WebAssembly kernels unavailable: ${kernelsUnavailableReason()}`;
  if (rt && cell.kind === 'lstm-variant' && !hasVariantKernels(rt)) {
    reason = 'the loaded kernels.wasm predates the peephole/CIFG LSTM kernels (lstmvForward)';
    rt = null;
  }
  const residents: Resident[] = [];
  const stepper = rt ? makeStepper(rt, cell, residents) : null;
  const dense = stepper && cell.kind === 'dense' ? denseSequence(cell) : null;
  let disposed = false;
  return {
    kind: cell.kind,
    inputSize: cell.inputSize,
    outputSize: cell.outputSize,
    config: cell.config,
    params: cell.params,
    initialState: (batch) => cell.initialState(batch),
    step: (state, x, ctx = {}) => {
      if (!stepper || disposed) return cell.step(state, x, ctx); // (disposed: the base cell throws its error)
      checkStepInput(cell, state, x);
      const out = stepper(state, x, !!ctx.extras);
      return (out ?? cell.step(state, x, ctx)) as StepResult<S>;
    },
    // The whole chunk in one call: input projections as one GEMM, the recurrence in WASM.
    ...(stepper
      ? {
          sequence: (state: S, xs: tf.Tensor3D): SequenceResult<S> => {
            if (disposed) return unrollSteps(cell, state, xs); // (the base cell throws its error)
            if (dense) return dense(state, xs) as SequenceResult<S>;
            if (cell.kind === 'lstm-variant') return lstmVariantCellSequence(cell, xs, state);
            const r = runSequence(cell, xs, state);
            return [r.ys, r.state];
          },
        }
      : {}),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      for (const r of residents) r.freeAll();
      cell.dispose();
    },
    get isDisposed() {
      return disposed;
    },
    fused: stepper !== null,
    reason,
    base: cell,
  };
}

/** True for a cell returned by {@link fuseCell}. */
export function isFused<S extends State>(cell: Cell<S>): cell is FusedCell<S> {
  const f = cell as Partial<FusedCell<S>>;
  return typeof f.fused === 'boolean' && f.base !== undefined && 'reason' in f;
}

/** {@link fuseCell} for an `lstm` cell (throws for another kind). */
export function fusedLstmCell<S extends State>(cell: Cell<S>): FusedCell<S> {
  return fuseKind('fusedLstmCell', 'lstm', cell);
}
/** {@link fuseCell} for a `gru` cell (throws for another kind). */
export function fusedGruCell<S extends State>(cell: Cell<S>): FusedCell<S> {
  return fuseKind('fusedGruCell', 'gru', cell);
}
/** {@link fuseCell} for an `rnn` cell (throws for another kind). */
export function fusedRnnCell<S extends State>(cell: Cell<S>): FusedCell<S> {
  return fuseKind('fusedRnnCell', 'rnn', cell);
}

function fuseKind<S extends State>(fn: string, kind: string, cell: Cell<S>): FusedCell<S> {
  if (!cell || (cell as Cell).kind !== kind) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'cell', `a cell of kind '${kind}'`, cell && typeof cell.kind === 'string' ? `a '${cell.kind}' cell` : describe(cell));
  return fuseCell(cell);
}
