/**
 * `createUpdater`: the update half of training, for any set of named parameters — clip the
 * gradient (global norm, then value), apply a tfjs optimiser at the scheduled learning rate, count
 * the step, and checkpoint/restore all of it. `createTrainer` is this plus BPTT over a cell; a model
 * that is not one cell (an encoder–decoder) computes its own loss and calls {@link Updater.minimize}:
 *
 * ```ts
 * const updater = createUpdater({ params: model.params, optimizer: { kind: 'adam', lr: 1e-3 }, clipNorm: 5, seed: 1 });
 * const { loss } = updater.minimize(() => lossOf(model, batch, updater.rng(1)));   // one update
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.js';
import { rxrnnError, ErrorCodes, describe } from '../errors.js';
import { clipByGlobalNorm, clipByValue, globalNorm, type Grads } from './clip.js';
import { learningRateAt, checkSchedule, type LrSchedule } from './schedules.js';
import { createOptimizer, setLearningRate, saveOptimizer, restoreOptimizer, disposeOptimizer, type OptimizerSpec } from './optimizers.js';
import { rngAt } from './train-rng.js';

/** What one update reports. */
export interface TrainStep {
  /** Updates done so far (this one included). */
  step: number;
  /** Mean loss of the chunk, before the update (nats for cross entropy). */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Learning rate used. */
  lr: number;
  /** Counted (unmasked) steps × rows in the chunk. */
  tokens: number;
}

/** A trainer's or updater's state at a step: JSON plus its arrays (optimizer moments…), for `restore`. */
export interface TrainerCheckpoint {
  json: {
    format: 'rxrnn.trainer';
    version: 1;
    step: number;
    lr: number;
    seed: number;
    /** The RNG position: generators derive from (seed, step), so this equals `step`. */
    rngPosition: number;
    optimizer: OptimizerSpec;
    schedule?: LrSchedule;
    clipNorm?: number;
    clipValue?: number;
    optimizerIterations: number;
    optimizerExtra: Record<string, number>;
    /** Anything the caller adds (data position, loss curve file…). */
    extra?: Record<string, unknown>;
  };
  arrays: Record<string, { shape: number[]; data: Float32Array }>;
}

export interface UpdaterOptions {
  /** The parameters by name; trained in place, never disposed by the updater. Non-trainable ones are skipped. */
  params: Readonly<Record<string, tf.Variable>>;
  /** Default `{ kind: 'adam', lr: 2e-3 }`. */
  optimizer?: OptimizerSpec;
  /** Learning-rate schedule over updates. Default constant. */
  schedule?: LrSchedule;
  /** Clip the gradient's global norm to this. Default: no clipping. */
  clipNorm?: number;
  /** Clip every gradient element to ±this (after the norm clip). Default: no clipping. */
  clipValue?: number;
  /** Seed of the run (through {@link Updater.rng}). Default 0. */
  seed?: number;
}

export interface Updater {
  /** Updates done so far. */
  readonly step: number;
  readonly seed: number;
  /** The learning rate the next update will use. */
  readonly lr: number;
  /** A generator determined by (seed, current step, stream): reproducible on resume. */
  rng(stream?: number): Rng;
  /**
   * Apply gradients keyed by parameter name: clipped, applied at the scheduled rate, counted as one
   * update. Does not take ownership of `grads`; checks their names and shapes first.
   */
  apply(grads: Readonly<Record<string, tf.Tensor>>, info: { loss: number; tokens: number }): TrainStep;
  /** One update on a differentiable scalar of the parameters (`tf.variableGrads`, then {@link Updater.apply}). */
  minimize(loss: () => tf.Scalar, info?: { tokens?: number }): TrainStep;
  /** Save the resumable state (optimiser slots, step, rate, RNG position). */
  checkpoint(extra?: Record<string, unknown>): Promise<TrainerCheckpoint>;
  /** Restore a checkpoint into this (fresh) updater. */
  restore(ckpt: TrainerCheckpoint): Promise<void>;
  /** Free the optimiser (not the parameters). */
  dispose(): void;
}

/** Build an updater (see the module comment). `fn` names the caller in errors. */
export function createUpdater(options: UpdaterOptions, fn = 'createUpdater'): Updater {
  const params = options?.params;
  if (!params || typeof params !== 'object' || Object.values(params).some((v) => !(v instanceof tf.Variable))) {
    throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.params', 'an object of tf.Variables', describe(params));
  }
  const spec: OptimizerSpec = options.optimizer ?? { kind: 'adam', lr: 2e-3 };
  checkSchedule(fn, options.schedule);
  for (const k of ['clipNorm', 'clipValue'] as const) {
    const v = options[k];
    if (v !== undefined && !(typeof v === 'number' && v > 0)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `options.${k}`, 'a positive number', describe(v));
  }
  const seed = options.seed ?? 0;
  const opt = createOptimizer(spec, fn);
  const names = Object.keys(params);
  let step = 0;
  let disposed = false;
  const lrAt = (s: number) => learningRateAt(spec.lr, s, options.schedule);
  const live = (where: string) => {
    if (disposed) throw rxrnnError(ErrorCodes.DISPOSED, where, 'updater', 'a live updater', 'a disposed updater');
  };

  /** Clip `grads` (keyed by parameter name), apply them at the scheduled rate, count the step. */
  const applyChecked = (grads: Grads, lossValue: number, tokens: number): TrainStep => {
    const lr = lrAt(step);
    let norm: number;
    let applied = grads;
    if (options.clipNorm !== undefined) {
      const c = clipByGlobalNorm(grads, options.clipNorm);
      norm = c.norm;
      applied = c.grads;
    } else {
      const n = globalNorm(grads);
      norm = n.dataSync()[0];
      n.dispose();
    }
    if (options.clipValue !== undefined) {
      const v = clipByValue(applied, options.clipValue);
      if (applied !== grads) disposeAll(applied);
      applied = v;
    }
    setLearningRate(opt, lr);
    // Apply in the parameters' order: optimiser slots are kept by position.
    const ordered: Grads = {};
    for (const name of names) if (params[name].trainable && applied[name]) ordered[params[name].name] = applied[name];
    opt.applyGradients(ordered);
    if (applied !== grads) disposeAll(applied);
    step++;
    return { step, loss: lossValue, gradNorm: norm, lr, tokens };
  };

  return {
    get step() {
      return step;
    },
    seed,
    get lr() {
      return lrAt(step);
    },
    rng: (stream = 0) => rngAt(seed, step, stream),
    apply(grads, info) {
      live('updater.apply');
      for (const name of names) {
        const g = grads[name];
        const v = params[name];
        if (v.trainable && !(g instanceof tf.Tensor && g.shape.join() === v.shape.join())) {
          throw rxrnnError(ErrorCodes.SHAPE, 'updater.apply', `grads['${name}']`, `a tensor of shape [${v.shape.join(', ')}]`, describe(g));
        }
      }
      return applyChecked(grads as Grads, info.loss, info.tokens);
    },
    minimize(loss, info = {}) {
      live('updater.minimize');
      const vars = names.map((n) => params[n]).filter((v) => v.trainable);
      const { value, grads } = tf.variableGrads(loss, vars);
      try {
        const byName: Grads = {};
        for (const name of names) if (grads[params[name].name]) byName[name] = grads[params[name].name];
        return applyChecked(byName, value.dataSync()[0], info.tokens ?? 0);
      } finally {
        value.dispose();
        disposeAll(grads);
      }
    },
    async checkpoint(extra) {
      const saved = await saveOptimizer(opt);
      return {
        json: {
          format: 'rxrnn.trainer',
          version: 1,
          step,
          lr: lrAt(step),
          seed,
          rngPosition: step,
          optimizer: spec,
          schedule: options.schedule,
          clipNorm: options.clipNorm,
          clipValue: options.clipValue,
          optimizerIterations: saved.iterations,
          optimizerExtra: saved.extra,
          extra,
        },
        arrays: saved.arrays,
      };
    },
    async restore(ckpt) {
      const j = ckpt?.json;
      if (!j || j.format !== 'rxrnn.trainer' || j.version !== 1) throw rxrnnError(ErrorCodes.FORMAT, 'trainer.restore', 'ckpt.json', "{ format: 'rxrnn.trainer', version: 1, … }", describe(j));
      if (j.optimizer?.kind !== spec.kind) throw rxrnnError(ErrorCodes.STATE, 'trainer.restore', 'ckpt.json.optimizer.kind', `'${spec.kind}' (this trainer's)`, describe(j.optimizer?.kind));
      if (j.seed !== seed) throw rxrnnError(ErrorCodes.STATE, 'trainer.restore', 'ckpt.json.seed', `${seed} (this trainer's)`, describe(j.seed));
      if (step !== 0) throw rxrnnError(ErrorCodes.STATE, 'trainer.restore', 'trainer', 'a fresh trainer (step 0)', `a trainer at step ${step}`);
      await restoreOptimizer(opt, { arrays: ckpt.arrays, iterations: j.optimizerIterations, extra: j.optimizerExtra });
      step = j.step;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      disposeOptimizer(opt);
    },
  };
}

function disposeAll(ts: Record<string, tf.Tensor> | undefined): void {
  if (ts) for (const t of Object.values(ts)) if (!t.isDisposed) t.dispose();
}
