/**
 * Seeded generators of the synthetic long-dependency tasks of Hochreiter & Schmidhuber (1997),
 * as `[T, B, ·]` batches for the trainer (`createTrainer(...).trainBatch`, with `lossFrom: T − 1`
 * so only the last step is scored).
 *
 * **Adding problem** (experiment 4 of the paper, in the common form of Le et al. 2015): each step
 * carries a pair (value, marker), value ~ U(0, 1); exactly two steps are marked (marker 1), one in
 * the first half of the sequence and one in the second half. The target, read at the last step, is
 * the sum of the two marked values:
 *
 *     x_t = (v_t, m_t),  v_t ~ U(0, 1),  Σ_t m_t = 2,   y = Σ_t m_t v_t          (regression, mse)
 *
 * Predicting the mean (1) gives mean squared error Var(v₁ + v₂) = 2/12 ≈ 0.167, the baseline.
 *
 * **Temporal order** (experiment 6a): a sequence of random distractor symbols {c, d, e, f} with two
 * relevant symbols X or Y, one at a random step in [T/10, 2T/10) and one in [5T/10, 6T/10); classes
 * XX, XY, YX, YY (ids 0…3), read at the last step. Inputs are one-hot over the 6 symbols. Chance
 * cross entropy is ln 4 nats.
 *
 * Pure JS sampling (the data is the same on every backend); only the returned tensors are tfjs.
 *
 * ```ts
 * const b = addingProblemBatch({ length: 50, batch: 32, seed: 1 }); // inputs [50, 32, 2], targets [50, 32, 1]
 * trainer.trainBatch(b, { lossFrom: 49 }); b.inputs.dispose(); b.targets.dispose();
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, rxrnnError, ErrorCodes, describe, type Rng } from '@rxrnn/core';

export interface TaskBatchOptions {
  /** Sequence length T. */
  length: number;
  /** Batch size B. */
  batch: number;
  /** Seed of the batch (the same seed gives the same batch). */
  seed?: number;
  /** Or a generator to draw from (takes precedence over `seed`). */
  rng?: Rng;
}

/** One batch of a synthetic task, as plain arrays (time-major) and as tensors. */
export interface TaskArrays {
  /** `[T · B · X]`, time-major: element (t, b, x) at `(t · B + b) · X + x`. */
  inputs: Float32Array;
  /** `[T · B · Y]` (adding: Y = 1, the target repeated at every step; temporal order: class ids, Y = 1). */
  targets: Float32Array;
  /** For each row b, the two marked/relevant steps. */
  positions: Array<[number, number]>;
  T: number;
  B: number;
  X: number;
}

function check(fn: string, o: TaskBatchOptions, minLength: number): Rng {
  if (!o || typeof o !== 'object') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options', '{ length, batch, seed? }', describe(o));
  if (!Number.isInteger(o.length) || o.length < minLength) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.length', `an integer ≥ ${minLength}`, describe(o.length));
  if (!Number.isInteger(o.batch) || o.batch < 1) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.batch', 'a positive integer', describe(o.batch));
  if (o.seed !== undefined && !Number.isFinite(o.seed)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.seed', 'a finite number', describe(o.seed));
  return o.rng ?? createRng(o.seed ?? 0);
}

/** The adding problem as arrays (see the module comment). */
export function addingProblemArrays(options: TaskBatchOptions): TaskArrays {
  const fn = 'addingProblem';
  const rng = check(fn, options, 2);
  const { length: T, batch: B } = options;
  const X = 2;
  const inputs = new Float32Array(T * B * X);
  const targets = new Float32Array(T * B);
  const positions: Array<[number, number]> = [];
  const half = Math.floor(T / 2);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) inputs[(t * B + b) * X] = rng.next();
    const p1 = rng.int(half);
    const p2 = half + rng.int(T - half);
    inputs[(p1 * B + b) * X + 1] = 1;
    inputs[(p2 * B + b) * X + 1] = 1;
    const y = inputs[(p1 * B + b) * X] + inputs[(p2 * B + b) * X];
    for (let t = 0; t < T; t++) targets[t * B + b] = y;
    positions.push([p1, p2]);
  }
  return { inputs, targets, positions, T, B, X };
}

/** The adding problem: inputs `[T, B, 2]` (value, marker), targets `[T, B, 1]` (the sum, at every step; score the last). */
export function addingProblemBatch(options: TaskBatchOptions): { inputs: tf.Tensor3D; targets: tf.Tensor3D } {
  const a = addingProblemArrays(options);
  return { inputs: tf.tensor3d(a.inputs, [a.T, a.B, a.X]), targets: tf.tensor3d(a.targets, [a.T, a.B, 1]) };
}

/** The symbols of the temporal-order task, in input (one-hot) order. */
export const TEMPORAL_ORDER_SYMBOLS = ['X', 'Y', 'c', 'd', 'e', 'f'] as const;
/** Its classes, in id order. */
export const TEMPORAL_ORDER_CLASSES = ['XX', 'XY', 'YX', 'YY'] as const;

/** The temporal-order task as arrays: targets hold class ids (see the module comment). */
export function temporalOrderArrays(options: TaskBatchOptions): TaskArrays {
  const fn = 'temporalOrder';
  const rng = check(fn, options, 10);
  const { length: T, batch: B } = options;
  const X = TEMPORAL_ORDER_SYMBOLS.length;
  const inputs = new Float32Array(T * B * X);
  const targets = new Float32Array(T * B);
  const positions: Array<[number, number]> = [];
  const w = Math.max(1, Math.floor(T / 10));
  for (let b = 0; b < B; b++) {
    const p1 = w + rng.int(w);
    const p2 = 5 * w + rng.int(w);
    const s1 = rng.int(2);
    const s2 = rng.int(2);
    for (let t = 0; t < T; t++) {
      const sym = t === p1 ? s1 : t === p2 ? s2 : 2 + rng.int(4);
      inputs[(t * B + b) * X + sym] = 1;
    }
    const cls = 2 * s1 + s2;
    for (let t = 0; t < T; t++) targets[t * B + b] = cls;
    positions.push([p1, p2]);
  }
  return { inputs, targets, positions, T, B, X };
}

/** The temporal-order task: inputs `[T, B, 6]` one-hot, targets `[T, B]` int32 class ids (score the last step). */
export function temporalOrderBatch(options: TaskBatchOptions): { inputs: tf.Tensor3D; targets: tf.Tensor2D } {
  const a = temporalOrderArrays(options);
  return { inputs: tf.tensor3d(a.inputs, [a.T, a.B, a.X]), targets: tf.tensor2d(Int32Array.from(a.targets), [a.T, a.B], 'int32') };
}
