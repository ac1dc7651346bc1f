/**
 * The tfjs optimisers by a JSON spec (so checkpoints can rebuild them), with a settable learning
 * rate and a save/restore of their slots (momenta, second moments) by parameter order.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from '../errors.js';

export type OptimizerSpec =
  | { kind: 'sgd'; lr: number }
  | { kind: 'momentum'; lr: number; momentum?: number; nesterov?: boolean }
  | { kind: 'rmsprop'; lr: number; decay?: number; momentum?: number; epsilon?: number; centered?: boolean }
  | { kind: 'adam'; lr: number; beta1?: number; beta2?: number; epsilon?: number };

/** Build a tfjs optimiser from its spec. */
export function createOptimizer(spec: OptimizerSpec, fn = 'createOptimizer'): tf.Optimizer {
  if (!spec || typeof spec !== 'object') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.optimizer', '{ kind, lr, … }', describe(spec));
  if (typeof spec.lr !== 'number' || !(spec.lr > 0) || !Number.isFinite(spec.lr)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.optimizer.lr', 'a positive number', describe(spec.lr));
  switch (spec.kind) {
    case 'sgd':
      return tf.train.sgd(spec.lr);
    case 'momentum':
      return tf.train.momentum(spec.lr, spec.momentum ?? 0.9, spec.nesterov ?? false);
    case 'rmsprop':
      return tf.train.rmsprop(spec.lr, spec.decay ?? 0.9, spec.momentum ?? 0, spec.epsilon ?? 1e-7, spec.centered ?? false);
    case 'adam':
      return tf.train.adam(spec.lr, spec.beta1 ?? 0.9, spec.beta2 ?? 0.999, spec.epsilon ?? 1e-7);
    default:
      throw rxrnnError(ErrorCodes.UNKNOWN, fn, 'options.optimizer.kind', "'sgd', 'momentum', 'rmsprop' or 'adam'", describe((spec as { kind?: unknown }).kind));
  }
}

/** Set the learning rate of a tfjs optimiser (SGD and momentum keep it as a tensor). */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (o.learningRate === lr) return;
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** The optimiser's slots as arrays, named `<index>:<slot name>` in parameter order, and its counters. */
export async function saveOptimizer(opt: tf.Optimizer): Promise<{ arrays: Record<string, { shape: number[]; data: Float32Array }>; iterations: number; extra: Record<string, number> }> {
  const ws = await opt.getWeights();
  const arrays: Record<string, { shape: number[]; data: Float32Array }> = {};
  let iterations = 0;
  ws.forEach((w, i) => {
    if (i === 0 && w.name === 'iter') {
      iterations = w.tensor.dataSync()[0];
      w.tensor.dispose(); // a fresh scalar made by getWeights
      return;
    }
    arrays[`${String(i).padStart(4, '0')}:${w.name.replace(/^.*\//, '')}`] = { shape: w.tensor.shape.slice(), data: Float32Array.from(w.tensor.dataSync()) };
  });
  const extra: Record<string, number> = {};
  const adam = opt as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  if (adam.accBeta1 && adam.accBeta2) {
    extra.accBeta1 = adam.accBeta1.dataSync()[0];
    extra.accBeta2 = adam.accBeta2.dataSync()[0];
  }
  return { arrays, iterations, extra };
}

/** Restore what {@link saveOptimizer} saved into a fresh optimiser of the same spec. */
export async function restoreOptimizer(opt: tf.Optimizer, saved: { arrays: Record<string, { shape: number[]; data: ArrayLike<number> }>; iterations: number; extra?: Record<string, number> }): Promise<void> {
  const names = Object.keys(saved.arrays).sort();
  const ws: { name: string; tensor: tf.Tensor }[] = [{ name: 'iter', tensor: tf.scalar(saved.iterations, 'int32') }];
  for (const n of names) ws.push({ name: n.slice(5), tensor: tf.tensor(Float32Array.from(saved.arrays[n].data), saved.arrays[n].shape) });
  try {
    await opt.setWeights(ws);
  } finally {
    for (const w of ws) w.tensor.dispose(); // setWeights copies into new variables
  }
  const adam = opt as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  if (saved.extra?.accBeta1 !== undefined && adam.accBeta1 && adam.accBeta2) {
    const e = saved.extra;
    tf.tidy(() => {
      adam.accBeta1!.assign(tf.scalar(e.accBeta1));
      adam.accBeta2!.assign(tf.scalar(e.accBeta2));
    });
  }
}

/**
 * Dispose an optimiser completely. tfjs's `dispose()` misses some of its own tensors (momentum
 * keeps SGD's learning-rate scalar; slot variables replaced by `setWeights`), so every tensor
 * found on the instance is freed too.
 */
export function disposeOptimizer(opt: tf.Optimizer): void {
  opt.dispose();
  const seen = new Set<tf.Tensor>();
  const visit = (v: unknown, depth: number) => {
    if (depth > 3 || v === null || typeof v !== 'object') return;
    if (v instanceof tf.Tensor) {
      if (!seen.has(v) && !v.isDisposed) v.dispose();
      seen.add(v);
      return;
    }
    if (Array.isArray(v)) v.forEach((x) => visit(x, depth + 1));
    else if (depth > 0) Object.values(v).forEach((x) => visit(x, depth + 1));
  };
  for (const v of Object.values(opt as unknown as Record<string, unknown>)) visit(v, 1);
}
