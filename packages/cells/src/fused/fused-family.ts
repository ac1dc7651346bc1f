/**
 * What a cell family gives to run on the fused kernels of @rxrnn/kernels (the contract of the fused
 * registry, fused-registry.ts): which configurations it covers, a whole chunk in one call, and a
 * stepper bound to resident copies of one cell's weights. Each family implements it beside its step
 * (`lstm/lstm-fused.ts`, `gru/gru-fused.ts`, …); the kernels themselves know no cells.
 */
import * as tf from '@tensorflow/tfjs';
import { unrollSteps, type Cell, type CellConfig, type SequenceResult, type State, type StepResult } from '@rxrnn/core';
import { Resident, residentFor, type KernelRuntime, type KernelsChoice } from '@rxrnn/kernels';

/** What the sequence functions of the families with one state `h` return. */
export interface HiddenSequenceResult {
  ys: tf.Tensor3D; // [T, B, H]: every h_t
  hT: tf.Tensor2D; // [B, H]
}

/** The option every sequence function of a family takes: which kernels run it. */
export interface SequenceKernelsOption {
  /** A kernels config or a runtime. Default: `kernels()`'s; without kernels, the family's tfjs step unrolled. */
  kernels?: KernelsChoice;
}

/** A fused step bound to one cell's weights, resident in one runtime's memory. */
export interface FusedStepper {
  /** One step `[y, next state, extras?]` on the kernels, or null to take the cell's own tfjs step. */
  step(state: State, x: tf.Tensor2D, extras: boolean): StepResult | null;
  /** Free the resident copies of the weights. */
  dispose(): void;
}

/** How one cell family (one `kind`) runs on the kernels. */
export interface FusedFamily {
  /**
   * Why `cell` cannot take the fused path (null when it can): its configuration, and with `rt` also
   * what that runtime offers (e.g. an older kernels binary without the family's entry points).
   */
  unsupported(cell: Cell, rt?: KernelRuntime): string | null;
  /** A whole chunk `xs` [T, B, X] from `state` (zeros when undefined): `[ys [T, B, Y], final state]`; differentiable. */
  sequence(cell: Cell, rt: KernelRuntime, state: State | undefined, xs: tf.Tensor3D): SequenceResult;
  /** A stepper for `cell` on `rt`. */
  stepper(cell: Cell, rt: KernelRuntime): FusedStepper;
}

/** The weights every fused family has: `kernel` [X, G·H], `recurrentKernel` [H, G·H], `bias` [G·H]. */
export interface CoreWeights {
  kernel: tf.Tensor;
  recurrentKernel: tf.Tensor;
  bias: tf.Tensor;
}

/** Resident copies of the {@link CoreWeights}. */
export interface CoreResidents {
  kernel: Resident;
  recurrentKernel: Resident;
  bias: Resident;
}

/**
 * Resident copies (in `rt`'s memory) of `p`'s kernel, recurrent kernel and bias, and of the
 * `optional` weights it has (null where absent). `shared`: the caller's tensors' own copies, kept
 * while each tensor lives (`residentFor`, for the sequence functions); else new ones, owned by one
 * stepper and freed by its dispose.
 */
export function residentsOf<O extends string>(rt: KernelRuntime, p: CoreWeights & Partial<Record<O, tf.Tensor>>, optional: readonly O[], shared: boolean): CoreResidents & Record<O, Resident | null> {
  const make = (t: tf.Tensor) => (shared ? residentFor(rt, t) : new Resident(rt));
  const out = { kernel: make(p.kernel), recurrentKernel: make(p.recurrentKernel), bias: make(p.bias) } as CoreResidents & Record<O, Resident | null>;
  for (const name of optional) {
    const t = p[name];
    out[name] = (t ? make(t) : null) as (CoreResidents & Record<O, Resident | null>)[O];
  }
  return out;
}

/** A stepper over `residents` (weights resident in kernel memory, null where a cell lacks one), freed by its dispose. */
export function fusedStepper<R extends { [K in keyof R]: Resident | null }>(residents: R, step: (residents: R, state: State, x: tf.Tensor2D, extras: boolean) => StepResult | null): FusedStepper {
  return {
    step: (state, x, extras) => step(residents, state, x, extras),
    dispose: () => (Object.values(residents) as (Resident | null)[]).forEach((r) => r?.freeAll()),
  };
}

/**
 * A step function unrolled over `xs` [T, B, X] by core's `unrollSteps`, from the state `init` makes,
 * in a tidy: `[ys [T, B, Y], final state]`. What every sequence function runs without kernels, so
 * a model's formula lives in its step alone.
 */
export function unrolledSequence<S extends State>(step: (state: S, x: tf.Tensor2D) => StepResult<S>, init: () => S, xs: tf.Tensor3D): SequenceResult<S> {
  return tf.tidy(() => unrollSteps({ step }, init(), xs));
}

/** Null when a gated cell's activations are the fused ones (tanh / sigmoid), else why not. */
export function gatesSupported(c: CellConfig): string | null {
  const ok = (c.activation ?? 'tanh') === 'tanh' && (c.recurrentActivation ?? 'sigmoid') === 'sigmoid';
  return ok ? null : `activation ${String(c.activation)} / recurrentActivation ${String(c.recurrentActivation)} (fused: tanh / sigmoid only)`;
}
