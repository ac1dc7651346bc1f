/**
 * Score a model on a bit task batch the way Graves et al. (2014, §4) report it: the cost per
 * sequence in bits (the summed binary cross entropy of the scored steps, ÷ ln 2) and the bit errors
 * per sequence (outputs thresholded at σ(y) = 0.5 that differ from the target), plus the fraction of
 * sequences copied without a single wrong bit. Inference only: the cell is stepped in `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Cell } from '@rxrnn/core';
import type { BitTaskBatch } from './copy-task.js';

export interface BitScore {
  /** Sequences scored. */
  sequences: number;
  /** Mean cost per sequence, bits. */
  bitsPerSequence: number;
  /** Mean wrong bits per sequence. */
  bitErrorsPerSequence: number;
  /** Fraction of sequences with no wrong bit. */
  perfect: number;
}

/** The outputs (logits) of the scored steps, [T − lossFrom, B, K], read back. */
export function scoredLogits(cell: Cell, batch: BitTaskBatch): Float32Array {
  const { T, B, X, lossFrom } = batch;
  return tf.tidy(() => {
    const xs = tf.unstack(tf.tensor3d(batch.inputs, [T, B, X])) as tf.Tensor2D[];
    let state = cell.initialState(B);
    const ys: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t++) {
      const [y, next] = cell.step(state, xs[t], { training: false });
      if (t >= lossFrom) ys.push(y);
      state = next;
    }
    return ys.length ? (tf.stack(ys).dataSync() as Float32Array) : new Float32Array(0);
  });
}

/** Score one batch (see the module comment). */
export function scoreBits(cell: Cell, batch: BitTaskBatch): BitScore {
  const { T, B, K, lossFrom } = batch;
  const y = scoredLogits(cell, batch);
  let nats = 0;
  let errors = 0;
  const wrong = new Uint8Array(B);
  for (let t = lossFrom; t < T; t++) {
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < K; j++) {
        const v = y[((t - lossFrom) * B + b) * K + j];
        const target = batch.targets[(t * B + b) * K + j];
        nats += Math.max(v, 0) - v * target + Math.log1p(Math.exp(-Math.abs(v)));
        if ((v > 0 ? 1 : 0) !== target) {
          errors++;
          wrong[b] = 1;
        }
      }
    }
  }
  return { sequences: B, bitsPerSequence: nats / Math.LN2 / B, bitErrorsPerSequence: errors / B, perfect: wrong.reduce((a, w) => a + (1 - w), 0) / B };
}

/** Pool the scores of several batches, weighted by their sequences. */
export function poolScores(scores: readonly BitScore[]): BitScore {
  const n = scores.reduce((a, s) => a + s.sequences, 0);
  const mean = (k: keyof BitScore) => scores.reduce((a, s) => a + s[k] * s.sequences, 0) / n;
  return { sequences: n, bitsPerSequence: mean('bitsPerSequence'), bitErrorsPerSequence: mean('bitErrorsPerSequence'), perfect: mean('perfect') };
}
