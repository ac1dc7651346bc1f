/**
 * `fuseCell(cell, config?)`: the same cell, with a step that runs one call of the fused kernels of
 * @rxrnn/kernels (native, or WebAssembly SIMD), chosen by `config` ({@link KernelsConfig}).
 *
 * Takes an `lstm`, `gru` or `rnn` cell, an `lstm-variant` cell of the variants
 * 'vanilla' (peephole LSTM), 'NP' or 'CIFG', or a `dense` one (whose chunks — all T·B rows at
 * once — then run through {@link affine}), and returns a {@link Cell} with the same
 * kind, config and parameters (the very same tf.Variables: names, layout and gate order are
 * unchanged, so optimisers, snapshots and the model format keep working) whose `step` keeps the
 * weights resident in kernel memory (re-uploaded only after a Variable is assigned) and runs the whole
 * step in one call. Under a gradient tape the step is differentiable (a `tf.customGrad` with a
 * hand-written backward). LSTM with a projection (LSTMP) is fused too. Cells or options the kernels
 * do not cover (activations other than sigmoid/tanh, RNN extras, the other lstm-variants, WebAssembly
 * without SIMD) keep the original tfjs step, with identical results; `fused` says which path a cell takes and `reason` why not.
 * Each family's fused path is registered in the fused registry (fused-registry.ts) by its kind.
 *
 * Ownership: the returned cell owns the original; `dispose()` frees the kernel-memory copies and the cell.
 *
 * ```ts
 * import { lstmCell, lstm, fuseCell } from '@rxrnn/cells';
 *
 * const cell = fuseCell(lstmCell({ inputSize: 128, hiddenSize: 512, fused: false }), { native: false });
 * input$.pipe(lstm(cell)); // the usual operator; each step is now one WebAssembly call
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, unrollSteps, type Cell, type SequenceResult, type State, type StepResult } from '@rxrnn/core';
import { kernels, kernelsUnavailableReason, resolveKernelsConfig, type KernelRuntime, type KernelsConfig } from '@rxrnn/kernels';
import type { FusedStepper } from './fused-family.js';
import { fusedFamily, unsupported } from './fused-registry.js';

/** A cell returned by {@link fuseCell}. */
export interface FusedCell<S extends State = State> extends Cell<S> {
  /** True when `step` runs the kernels; false when it is the original tfjs step. */
  readonly fused: boolean;
  /** Why the cell is not fused (null when it is). */
  readonly reason: string | null;
  /** The wrapped cell. */
  readonly base: Cell<S>;
}

function checkStepInput(cell: Cell, state: State, x: tf.Tensor2D): void {
  const fn = `${cell.kind}.step`;
  if (!(x && x.rank === 2 && x.shape[1] === cell.inputSize && x.dtype === 'float32')) throw rxrnnError(ErrorCodes.SHAPE, fn, 'x', `a float32 tensor of shape [B, ${cell.inputSize}]`, describe(x));
  for (const [name, t] of Object.entries(state)) {
    if (!(t && t.rank === 2 && t.shape[0] === x.shape[0])) throw rxrnnError(ErrorCodes.SHAPE, fn, `state.${name}`, `a tensor of shape [${x.shape[0]}, ·]`, describe(t));
  }
}

/** The runtime `cell` runs on for `config`, or why it takes the tfjs step. */
function fusedRuntime(cell: Cell, config: KernelsConfig): { rt: KernelRuntime | null; reason: string | null } {
  const why = unsupported(cell);
  if (why) return { rt: null, reason: why };
  const rt = kernels(config);
  if (!rt) return { rt: null, reason: `WebAssembly kernels unavailable: ${kernelsUnavailableReason(config)}` };
  const missing = unsupported(cell, rt);
  return missing ? { rt: null, reason: missing } : { rt, reason: null };
}

/** Wrap `cell` so its step runs the fused kernel (see the module doc). */
export function fuseCell<S extends State>(cell: Cell<S>, config: KernelsConfig = {}): FusedCell<S> {
  const fn = 'fuseCell';
  if (!cell || typeof cell !== 'object' || typeof cell.step !== 'function' || typeof cell.kind !== 'string') {
    throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'cell', 'a Cell (lstmCell, gruCell, rnnCell of @rxrnn/cells)', describe(cell));
  }
  if (cell.isDisposed) throw rxrnnError(ErrorCodes.DISPOSED, fn, 'cell', 'a live cell', 'a disposed cell');
  if (isFused(cell)) return cell; // already wrapped (the cells of @rxrnn/cells are, by default)
  const { rt, reason } = fusedRuntime(cell, resolveKernelsConfig(config, fn));
  const family = rt ? fusedFamily(cell.kind) : undefined;
  const stepper: FusedStepper | null = rt && family ? family.stepper(cell, rt) : null;
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
      const out = stepper.step(state, x, !!ctx.extras);
      return (out ?? cell.step(state, x, ctx)) as StepResult<S>;
    },
    // The whole chunk in one call: input projections as one GEMM, the recurrence on the kernels.
    ...(rt && family
      ? {
          sequence: (state: S, xs: tf.Tensor3D): SequenceResult<S> => {
            if (disposed) return unrollSteps(cell, state, xs); // (the base cell throws its error)
            return family.sequence(cell, rt, state, xs) as SequenceResult<S>;
          },
        }
      : {}),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      stepper?.dispose();
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
export function fusedLstmCell<S extends State>(cell: Cell<S>, config: KernelsConfig = {}): FusedCell<S> {
  return fuseKind('fusedLstmCell', 'lstm', cell, config);
}
/** {@link fuseCell} for a `gru` cell (throws for another kind). */
export function fusedGruCell<S extends State>(cell: Cell<S>, config: KernelsConfig = {}): FusedCell<S> {
  return fuseKind('fusedGruCell', 'gru', cell, config);
}
/** {@link fuseCell} for an `rnn` cell (throws for another kind). */
export function fusedRnnCell<S extends State>(cell: Cell<S>, config: KernelsConfig = {}): FusedCell<S> {
  return fuseKind('fusedRnnCell', 'rnn', cell, config);
}

function fuseKind<S extends State>(fn: string, kind: string, cell: Cell<S>, config: KernelsConfig): FusedCell<S> {
  if (!cell || (cell as Cell).kind !== kind) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'cell', `a cell of kind '${kind}'`, cell && typeof cell.kind === 'string' ? `a '${cell.kind}' cell` : describe(cell));
  return fuseCell(cell, config);
}

/**
 * A cell's `fused` option (`true`, `false` or a {@link KernelsConfig}) applied to the cell a factory
 * built: the fused cell when the kernels cover it, else the cell itself.
 */
export function withFusedPath<S extends State>(cell: Cell<S>, fused: boolean | KernelsConfig | undefined): Cell<S> {
  if (fused === false) return cell;
  const f = fuseCell(cell, fused === true || fused === undefined ? {} : fused);
  return f.fused ? f : cell;
}
