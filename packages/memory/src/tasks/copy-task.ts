/**
 * The copy task (Graves et al. 2014, §4.1): a sequence of L random binary vectors of width K (8),
 * then a delimiter; the model must then reproduce the sequence with no further input.
 *
 *     step        0 … L−1          L            L+1 … 2L
 *     input       [bits_t; 0]      [0…0; 1]     [0…0; 0]           width K + 1 (the delimiter channel last)
 *     target      —                —            bits_{t−L−1}      width K; scored only here (`lossFrom` = L + 1)
 *
 * Seeded: the same (seed, index) gives the same batch. Every sequence of a batch has the same length,
 * so training counts the loss from step L + 1 on (a trainer's `lossFrom`) and needs no mask — a mask
 * would also freeze the state where it is 0, and the input phase must move it.
 *
 * Shapes: inputs [T, B, K + 1], targets [T, B, K] (zeros before step L + 1), T = 2L + 1.
 */
import { createRng, checkSize, rxrnnError, ErrorCodes, describe, type Rng } from '@rxrnn/core';

export interface BitTaskBatch {
  /** [T, B, X] values, time-major. */
  inputs: Float32Array;
  /** [T, B, K] 0/1 values, zeros where not scored. */
  targets: Float32Array;
  /** T, B, X (input width), K (output width). */
  T: number;
  B: number;
  X: number;
  K: number;
  /** The first scored step: the targets count from here on (`lossFrom`). */
  lossFrom: number;
  /** Sequence length(s) of the batch (for the copy task, one L). */
  length: number;
}

export interface CopyTaskOptions {
  /** Width of a vector. Default 8. */
  bits?: number;
}

/** Input width of the copy task: the bits and the delimiter channel. */
export const copyInputSize = (bits = 8): number => bits + 1;

/** One copy-task batch of `batch` sequences of `length` random vectors, drawn from `rng`. */
export function copyBatch(rng: Rng, batch: number, length: number, options: CopyTaskOptions = {}): BitTaskBatch {
  const fn = 'copyBatch';
  checkSize(fn, 'batch', batch);
  checkSize(fn, 'length', length);
  const K = options.bits ?? 8;
  checkSize(fn, 'options.bits', K);
  const X = K + 1;
  const L = length;
  const T = 2 * L + 1;
  const inputs = new Float32Array(T * batch * X);
  const targets = new Float32Array(T * batch * K);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < L; t++) {
      for (let j = 0; j < K; j++) {
        const bit = rng.next() < 0.5 ? 1 : 0;
        inputs[(t * batch + b) * X + j] = bit;
        targets[((L + 1 + t) * batch + b) * K + j] = bit;
      }
    }
    inputs[(L * batch + b) * X + K] = 1; // the delimiter
  }
  return { inputs, targets, T, B: batch, X, K, lossFrom: L + 1, length: L };
}

/**
 * A reproducible stream of training batches: batch `i` of seed `seed` has a length drawn uniformly
 * from `minLength … maxLength` and its own bits (a generator per batch, derived from (seed, i)).
 */
export function copyTask(seed: number, options: CopyTaskOptions & { batch: number; minLength: number; maxLength: number }): (index: number) => BitTaskBatch {
  const fn = 'copyTask';
  checkSize(fn, 'options.batch', options.batch);
  checkSize(fn, 'options.minLength', options.minLength);
  checkSize(fn, 'options.maxLength', options.maxLength);
  if (options.maxLength < options.minLength) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.maxLength', `at least options.minLength (${options.minLength})`, describe(options.maxLength));
  return (index: number) => {
    const rng = createRng(seed * 1_000_003 + index);
    const L = options.minLength + rng.int(options.maxLength - options.minLength + 1);
    return copyBatch(rng, options.batch, L, options);
  };
}
