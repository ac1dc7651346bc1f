/**
 * The repeat copy task (Graves et al. 2014, §4.2): L random binary vectors of width K (8), then the
 * number of copies R on an input channel of its own; the model must output the sequence R times and
 * then an end marker, so it must count the copies it has made. The count is normalised to mean 0 and
 * variance 1 over the training range of R (as in the paper).
 *
 *     step        0 … L−1          L              L+1              L+2 … L+1+R·L          L+2+R·L
 *     input       [bits_t; 0; 0]   [0…0; 1; 0]    [0…0; 0; r̂]     zeros                  zeros
 *     target      —                —              —                [bits_{(t−L−2) mod L}; 0]   [0…0; 1]
 *
 * Input width K + 2 (delimiter, then count), output width K + 1 (the end marker last); the loss counts
 * from step L + 2 (`lossFrom`). Shapes: inputs [T, B, K + 2], targets [T, B, K + 1], T = L(R + 1) + 3.
 */
import { createRng, checkSize, rxrnnError, ErrorCodes, describe, type Rng } from '@rxrnn/core';
import type { BitTaskBatch } from './copy-task.js';

export interface RepeatCopyOptions {
  /** Width of a vector. Default 8. */
  bits?: number;
  /** The range of repeats the count is normalised over (training's). Default [1, 10]. */
  repeatRange?: readonly [number, number];
}

/** Input and output widths of the repeat copy task. */
export const repeatCopySizes = (bits = 8): { inputSize: number; outputSize: number } => ({ inputSize: bits + 2, outputSize: bits + 1 });

/** One batch of `batch` sequences of `length` vectors, each to be repeated `repeats` times. */
export function repeatCopyBatch(rng: Rng, batch: number, length: number, repeats: number, options: RepeatCopyOptions = {}): BitTaskBatch {
  const fn = 'repeatCopyBatch';
  checkSize(fn, 'batch', batch);
  checkSize(fn, 'length', length);
  checkSize(fn, 'repeats', repeats);
  const K = options.bits ?? 8;
  checkSize(fn, 'options.bits', K);
  const [lo, hi] = options.repeatRange ?? [1, 10];
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.repeatRange', '[lo, hi] with hi > lo', describe(options.repeatRange));
  const mean = (lo + hi) / 2;
  const std = Math.sqrt(((hi - lo + 1) ** 2 - 1) / 12); // of the uniform integers lo … hi
  const X = K + 2;
  const Y = K + 1;
  const L = length;
  const T = L * (repeats + 1) + 3;
  const inputs = new Float32Array(T * batch * X);
  const targets = new Float32Array(T * batch * Y);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < L; t++) {
      for (let j = 0; j < K; j++) {
        const bit = rng.next() < 0.5 ? 1 : 0;
        inputs[(t * batch + b) * X + j] = bit;
        for (let r = 0; r < repeats; r++) targets[((L + 2 + r * L + t) * batch + b) * Y + j] = bit;
      }
    }
    inputs[(L * batch + b) * X + K] = 1; // the delimiter
    inputs[((L + 1) * batch + b) * X + K + 1] = (repeats - mean) / std; // the normalised count
    targets[((T - 1) * batch + b) * Y + K] = 1; // the end marker
  }
  return { inputs, targets, T, B: batch, X, K: Y, lossFrom: L + 2, length: L };
}

/** Training batches: batch `i` of seed `seed` has a length in 1 … maxLength and a repeat count in the range, drawn from (seed, i). */
export function repeatCopyTask(seed: number, options: RepeatCopyOptions & { batch: number; maxLength?: number }): (index: number) => BitTaskBatch & { repeats: number } {
  const maxLength = options.maxLength ?? 10;
  checkSize('repeatCopyTask', 'options.maxLength', maxLength);
  const [lo, hi] = options.repeatRange ?? [1, 10];
  return (index: number) => {
    const rng = createRng(seed * 1_000_033 + index);
    const L = 1 + rng.int(maxLength);
    const R = lo + rng.int(hi - lo + 1);
    return { ...repeatCopyBatch(rng, options.batch, L, R, options), repeats: R };
  };
}
