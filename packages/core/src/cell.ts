/**
 * The Cell contract: parameters, an initial state and a pure step.
 *
 * Every recurrent model in rxrnn is a Cell. The math is a pure step function
 * `step(params, state, x, ctx) → [y, nextState, extras?]` on tfjs tensors with a leading batch
 * dimension `[B, ·]`; the Cell binds it to the parameters it owns. `recurrent(cell)` turns any Cell
 * into an RxJS operator; the same step serves inference, batching and training (BPTT).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng.js';
import { rxrnnError, ErrorCodes, describe } from './errors.js';

/** A recurrent state: named tensors, every one with the batch as its first dimension. */
export type State = Readonly<Record<string, tf.Tensor>>;

/** Named tensors a step may report for inspection: gate activations, attention, memory weights. */
export type Extras = Record<string, tf.Tensor>;

/** What a step knows besides its input. */
export interface StepContext {
  /** Training mode turns on dropout/zoneout. Default false. */
  training?: boolean;
  /** Source of randomness for training-time noise. Required when `training` and the cell is stochastic. */
  rng?: Rng;
  /** Ask the cell for its extras (gate activations…). Cells skip computing them otherwise. */
  extras?: boolean;
}

/** `[y, nextState, extras?]`: the output `[B, Y]`, the next state, optional inspection tensors. */
export type StepResult<S extends State = State> = [y: tf.Tensor2D, state: S, extras?: Extras];

/** `[ys, finalState]` of {@link Cell.sequence}: outputs `[T, B, Y]` and the state after the last step. */
export type SequenceResult<S extends State = State> = [ys: tf.Tensor3D, state: S];

/** A pure step: `(params, state, x) → [y, nextState]`. Call it inside `tf.tidy`. */
export type StepFn<P, S extends State = State> = (params: P, state: S, x: tf.Tensor2D, ctx: StepContext) => StepResult<S>;

/** A JSON-serialisable description that, with the parameters, rebuilds the cell. */
export type CellConfig = Readonly<Record<string, unknown>> & { readonly kind: string };

export interface Cell<S extends State = State> {
  /** Family name, e.g. `'lstm'`, `'gru'`, `'stack'`. */
  readonly kind: string;
  /** X in `[B, X]`. */
  readonly inputSize: number;
  /** Y in `[B, Y]`. */
  readonly outputSize: number;
  /** How to rebuild this cell (with {@link Cell.params}). */
  readonly config: CellConfig;
  /** Parameters by name (`kernel`, `recurrentKernel`, `bias`, …; stacks prefix `layers.0.`). Trainable variables. */
  readonly params: Readonly<Record<string, tf.Variable>>;
  /** The zero (or learned) state for a batch of B. New tensors, owned by the caller. */
  initialState(batch: number): S;
  /** One step; pure; run it inside `tf.tidy`. */
  step(state: S, x: tf.Tensor2D, ctx?: StepContext): StepResult<S>;
  /**
   * Optional: a whole chunk `xs` [T, B, X] in one call, giving the outputs `[T, B, Y]` and the state
   * after the last step — the same numbers as T calls of `step` (within float32 round-off), only
   * faster (fused kernels; one GEMM for all T input projections). Differentiable like `step`. Cells
   * without it are unrolled step by step ({@link runCellSequence}); no extras.
   */
  sequence?(state: S, xs: tf.Tensor3D, ctx?: StepContext): SequenceResult<S>;
  /** Free the parameters. Idempotent. */
  dispose(): void;
  readonly isDisposed: boolean;
}

/** A parameter given as data: a tensor (copied) or a Float32Array with its shape. */
export type ParamInit = tf.Tensor | { shape: number[]; data: Float32Array };

export interface DefineCellSpec<P extends Record<string, tf.Tensor>, S extends State> {
  kind: string;
  inputSize: number;
  outputSize: number;
  config: Record<string, unknown>;
  params: { [K in keyof P]: ParamInit };
  initialState: (params: P, batch: number) => S;
  step: StepFn<P, S>;
  /** Optional whole-chunk form of `step` (see {@link Cell.sequence}). */
  sequence?: (params: P, state: S, xs: tf.Tensor3D, ctx: StepContext) => SequenceResult<S>;
}

/**
 * Build a Cell from a pure step function and its parameters. The parameters become tf.Variables
 * kept in exactly one place (the cell) and disposed in exactly one place (`dispose`).
 */
export function defineCell<P extends Record<string, tf.Tensor>, S extends State>(spec: DefineCellSpec<P, S>): Cell<S> {
  const { kind, inputSize, outputSize } = spec;
  checkSize(kind, 'inputSize', inputSize);
  checkSize(kind, 'outputSize', outputSize);
  const vars: Record<string, tf.Variable> = {};
  for (const [name, init] of Object.entries(spec.params) as [string, ParamInit][]) {
    vars[name] = init instanceof tf.Tensor ? tf.variable(init.clone(), true) : tf.tidy(() => tf.variable(tf.tensor(init.data, init.shape), true));
  }
  let disposed = false;
  const live = (): P => {
    if (disposed) throw rxrnnError(ErrorCodes.DISPOSED, kind, 'cell', 'a live cell', 'a disposed cell');
    return vars as unknown as P;
  };
  return {
    kind,
    inputSize,
    outputSize,
    config: { ...spec.config, kind },
    params: vars,
    initialState: (batch) => {
      if (!Number.isInteger(batch) || batch < 1) throw rxrnnError(ErrorCodes.ARGUMENT, `${kind}.initialState`, 'batch', 'a positive integer', describe(batch));
      return spec.initialState(live(), batch);
    },
    step: (state, x, ctx = {}) => spec.step(live(), state, x, ctx),
    ...(spec.sequence ? { sequence: (state: S, xs: tf.Tensor3D, ctx: StepContext = {}) => spec.sequence!(live(), state, xs, ctx) } : {}),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      for (const v of Object.values(vars)) v.dispose();
    },
    get isDisposed() {
      return disposed;
    },
  };
}

/** Throw unless `n` is a positive integer. */
export function checkSize(fn: string, arg: string, n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw rxrnnError(ErrorCodes.ARGUMENT, fn, arg, 'a positive integer', describe(n));
}

/** Zeros `[B, n]`, the usual initial state. */
export function zeros2d(batch: number, n: number): tf.Tensor2D {
  return tf.zeros([batch, n]);
}
