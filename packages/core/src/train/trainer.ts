/**
 * `createTrainer`: gradient descent on any {@link Cell} by backpropagation through time.
 *
 * One update = unroll the cell over a chunk ([T, B, ·], see {@link unrollLoss}), take the gradient
 * of the masked mean loss with `tf.variableGrads`, clip it (global norm, then value), and apply a
 * tfjs optimiser at the scheduled learning rate. State can be carried between chunks (truncated
 * BPTT: the state goes on, the gradient stops at the chunk boundary). A checkpoint stores the
 * optimiser's slots, its step and rate and the RNG position (the step), so a resumed run continues
 * the same loss curve. Cell-agnostic: any cell from the registry trains the same way.
 *
 * ```ts
 * const trainer = createTrainer({ cell, optimizer: { kind: 'adam', lr: 2e-3 }, clipNorm: 5, seed: 1 });
 * const { loss, final } = trainer.trainBatch({ inputs, targets }, { initialState, keepFinal: true });
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import type { Cell, State } from '../cell.js';
import type { Rng } from '../rng.js';
import { rxrnnError, ErrorCodes, describe } from '../errors.js';
import { unrollLoss, type SequenceBatch } from './bptt-step.js';
import { getLoss, type LossFn, type LossName } from './losses.js';
import type { Grads } from './clip.js';
import type { LrSchedule } from './schedules.js';
import type { OptimizerSpec } from './optimizers.js';
import { rngAt } from './train-rng.js';
import { createUpdater, type TrainStep, type TrainerCheckpoint } from './updater.js';

export type { TrainStep, TrainerCheckpoint } from './updater.js';

export interface TrainerOptions {
  /** The model. Its `params` are trained in place; the trainer never disposes it. */
  cell: Cell;
  /** Per-row loss. Default `'softmaxCrossEntropy'` (targets are class ids). */
  loss?: LossName | LossFn;
  /** Default `{ kind: 'adam', lr: 2e-3 }`. */
  optimizer?: OptimizerSpec;
  /** Learning-rate schedule over updates. Default constant. */
  schedule?: LrSchedule;
  /** Clip the gradient's global norm to this. Default: no clipping. */
  clipNorm?: number;
  /** Clip every gradient element to ±this (after the norm clip). Default: no clipping. */
  clipValue?: number;
  /** Seed of the run (dropout, data sampling through {@link Trainer.rng}). Default 0. */
  seed?: number;
  /** Run steps in training mode (dropout/zoneout on). Default true. */
  training?: boolean;
}

/** Options of one `trainBatch`. */
export interface TrainBatchOptions {
  /** State to start from (not disposed; not differentiated). Default: the cell's initial state. */
  initialState?: State;
  /** Return the state after the last step (owned by the caller). */
  keepFinal?: boolean;
  /** Return the state after this many steps (owned by the caller). */
  keepAfter?: number;
  /** Count the loss only from this step on. */
  lossFrom?: number;
}

/** A trainer's resumable state: JSON plus named arrays (the optimiser slots). */
export interface Trainer {
  readonly cell: Cell;
  /** Updates done so far. */
  readonly step: number;
  readonly seed: number;
  /** The learning rate the next update will use. */
  readonly lr: number;
  /** A generator determined by (seed, current step, stream): reproducible on resume. */
  rng(stream?: number): Rng;
  /** One update by BPTT over `batch`. */
  trainBatch(batch: SequenceBatch, options?: TrainBatchOptions): TrainStep & { final?: State; at?: State };
  /**
   * The gradients of the masked mean loss over `batch` (by parameter name), without an update:
   * what {@link Trainer.trainBatch} applies. New tensors, owned by the caller (`final`/`at` too).
   * `rng` replaces the training-noise source (default: the run's, at this step), so the parts of a
   * batch computed apart can draw different noise.
   */
  gradients(batch: SequenceBatch, options?: TrainBatchOptions & { rng?: Rng }): { grads: Record<string, tf.Tensor>; loss: number; tokens: number; final?: State; at?: State };
  /**
   * Apply gradients computed elsewhere (e.g. by workers on parts of a batch), keyed by the cell's
   * parameter names: clipped, applied at the scheduled rate, counted as one update. Does not take
   * ownership of `grads`.
   */
  applyGradients(grads: Readonly<Record<string, tf.Tensor>>, info: { loss: number; tokens: number }): TrainStep;
  /** The loss without an update (inference mode): Σ m·ℓ and Σ m, and the final state if asked. */
  evaluate(batch: SequenceBatch, options?: { initialState?: State; keepFinal?: boolean }): { sum: number; count: number; final?: State };
  /** Save the resumable state (optimiser slots, step, rate, RNG position). */
  checkpoint(extra?: Record<string, unknown>): Promise<TrainerCheckpoint>;
  /** Restore a checkpoint into this (fresh) trainer. */
  restore(ckpt: TrainerCheckpoint): Promise<void>;
  /** Free the optimiser (not the cell). */
  dispose(): void;
}

export function createTrainer(options: TrainerOptions): Trainer {
  const fn = 'createTrainer';
  const cell = options?.cell;
  if (!cell || typeof cell.step !== 'function' || !cell.params) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.cell', 'a Cell', describe(cell));
  const loss = getLoss(options.loss, fn);
  // Clipping, the optimiser, the schedule, the step count and checkpoints: the updater's.
  const updater = createUpdater({ params: cell.params, optimizer: options.optimizer, schedule: options.schedule, clipNorm: options.clipNorm, clipValue: options.clipValue, seed: options.seed }, fn);
  const seed = updater.seed;
  const training = options.training ?? true;
  const names = Object.keys(cell.params);
  const vars = names.map((n) => cell.params[n]).filter((v) => v.trainable);
  let disposed = false;

  const checkBatch = (where: string, batch: SequenceBatch) => {
    if (disposed) throw rxrnnError(ErrorCodes.DISPOSED, where, 'trainer', 'a live trainer', 'a disposed trainer');
    if (!batch || !(batch.inputs instanceof tf.Tensor) || batch.inputs.rank !== 3) throw rxrnnError(ErrorCodes.SHAPE, where, 'batch.inputs', 'a tensor of shape [T, B, X]', describe(batch?.inputs));
    const [T, B, X] = batch.inputs.shape;
    if (X !== cell.inputSize) throw rxrnnError(ErrorCodes.SIZE, where, 'batch.inputs', `shape [T, B, ${cell.inputSize}]`, describe(batch.inputs));
    if (!(batch.targets instanceof tf.Tensor) || batch.targets.shape[0] !== T || batch.targets.shape[1] !== B) throw rxrnnError(ErrorCodes.SHAPE, where, 'batch.targets', `a tensor of shape [${T}, ${B}, …]`, describe(batch.targets));
    if (batch.mask && (batch.mask.rank !== 2 || batch.mask.shape[0] !== T || batch.mask.shape[1] !== B)) throw rxrnnError(ErrorCodes.SHAPE, where, 'batch.mask', `a tensor of shape [${T}, ${B}]`, describe(batch.mask));
    return B;
  };

  const computeGradients = (where: string, batch: SequenceBatch, o: TrainBatchOptions & { rng?: Rng }): ReturnType<Trainer['gradients']> => {
    const B = checkBatch(where, batch);
    const ownState = !o.initialState;
    const state0 = o.initialState ?? cell.initialState(B);
    const ctx = { training, rng: o.rng ?? rngAt(seed, updater.step, 1) };
    let final: State | undefined;
    let at: State | undefined;
    let tokens = 0;
    let grads: Grads = {};
    let value: tf.Scalar | undefined;
    try {
      ({ value, grads } = tf.variableGrads(() => {
        const r = unrollLoss(cell, state0, batch, loss, { lossFrom: o.lossFrom, stateAfter: o.keepAfter, ctx });
        // The states leave the gradient scope as constants: the next chunk cannot reach back.
        if (o.keepFinal) final = keepState(r.final);
        if (o.keepAfter !== undefined && r.at) at = keepState(r.at);
        tokens = r.count.dataSync()[0];
        return r.loss;
      }, vars));
      const byName: Grads = {};
      for (const name of names) {
        const v = cell.params[name];
        if (grads[v.name]) byName[name] = grads[v.name];
      }
      return { grads: byName, loss: value.dataSync()[0], tokens, final, at };
    } catch (e) {
      disposeAll(grads);
      if (final) disposeAll(final);
      if (at) disposeAll(at);
      throw e;
    } finally {
      value?.dispose();
      if (ownState) disposeAll(state0);
    }
  };

  const trainer: Trainer = {
    cell,
    get step() {
      return updater.step;
    },
    seed,
    get lr() {
      return updater.lr;
    },
    rng: (stream = 0) => updater.rng(stream),
    trainBatch(batch, o = {}) {
      const g = computeGradients('trainer.trainBatch', batch, o);
      try {
        return { ...updater.apply(g.grads, { loss: g.loss, tokens: g.tokens }), final: g.final, at: g.at };
      } catch (e) {
        disposeAll(g.final);
        disposeAll(g.at);
        throw e;
      } finally {
        disposeAll(g.grads);
      }
    },
    gradients: (batch, o = {}) => computeGradients('trainer.gradients', batch, o),
    applyGradients(grads, info) {
      if (disposed) throw rxrnnError(ErrorCodes.DISPOSED, 'trainer.applyGradients', 'trainer', 'a live trainer', 'a disposed trainer');
      return updater.apply(grads, info);
    },
    evaluate(batch, o = {}) {
      const B = checkBatch('trainer.evaluate', batch);
      const ownState = !o.initialState;
      const state0 = o.initialState ?? cell.initialState(B);
      let final: State | undefined;
      try {
        const [sum, count] = tf.tidy(() => {
          const r = unrollLoss(cell, state0, batch, loss, { ctx: { training: false } });
          if (o.keepFinal) final = keepState(r.final);
          return [r.sum.dataSync()[0], r.count.dataSync()[0]];
        });
        return { sum, count, final };
      } finally {
        if (ownState) disposeAll(state0);
      }
    },
    checkpoint: (extra) => updater.checkpoint(extra),
    restore: (ckpt) => updater.restore(ckpt),
    dispose() {
      if (disposed) return;
      disposed = true;
      updater.dispose();
    },
  };
  return trainer;
}

/** Keep a state's tensors past the enclosing tidy/gradient scope. */
function keepState(s: State): State {
  const out: Record<string, tf.Tensor> = {};
  for (const [k, t] of Object.entries(s)) out[k] = tf.keep(t.clone());
  return out;
}

function disposeAll(ts: Record<string, tf.Tensor> | undefined): void {
  if (ts) for (const t of Object.values(ts)) if (!t.isDisposed) t.dispose();
}
