/**
 * The training loss of the encoder–decoder: teacher forcing, optionally with scheduled sampling
 * (Bengio et al. 2015) and label smoothing (Szegedy et al. 2016):
 *
 *     keys = encode(x);  y_0 = BOS
 *     for t = 1 … T:   logits_t = decoder(ŷ_{t−1})                                 [B, V]
 *                      ŷ_t = argmax logits_t  with probability ε (per row, per step), else y_t   (ŷ_0 = BOS)
 *     L = Σ_t Σ_b m_tb ℓ_ls(logits_tb, y_tb) / Σ m_tb                             (masked mean over target tokens)
 *
 * ε = 0 is teacher forcing exactly (no coin is drawn); the fed prediction is a constant (no gradient
 * flows through the argmax, as in the paper). Differentiable w.r.t. every parameter; call it inside
 * `tf.variableGrads` / an updater's `minimize`, or a tidy for evaluation.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, type Rng, type StepContext } from '@rxrnn/core';
import { targetBatch, type TokenIds } from './batch.js';
import { labelSmoothedCrossEntropy, checkSmoothing } from './label-smoothing.js';
import type { Seq2SeqModel } from './model.js';

export interface Seq2SeqLossOptions {
  /** ε: the probability of feeding the previous prediction instead of the truth. Default 0 (teacher forcing). */
  samplingProbability?: number;
  /** The coin flips of scheduled sampling; required when ε > 0. */
  rng?: Rng;
  /** Label smoothing ε_ls ∈ [0, 1). Default 0. */
  labelSmoothing?: number;
  /** Step context (training mode, dropout rng). */
  ctx?: StepContext;
}

export interface Seq2SeqLoss {
  /** Masked mean loss per target token (nats). */
  loss: tf.Scalar;
  /** Σ m·ℓ and Σ m. */
  sum: tf.Scalar;
  count: number;
  /** The tokens fed at each step, T × [B] (BOS first; predictions where sampled). */
  fed: Int32Array[];
}

/** The loss of `targets` given `sources` (see the module comment). */
export function seq2seqLoss(model: Seq2SeqModel, sources: readonly TokenIds[], targets: readonly TokenIds[], options: Seq2SeqLossOptions = {}): Seq2SeqLoss {
  const fn = 'seq2seqLoss';
  const eps = options.samplingProbability ?? 0;
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.samplingProbability', 'a probability in [0, 1]', describe(eps));
  if (eps > 0 && !options.rng) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.rng', 'a generator (scheduled sampling draws coins)', describe(options.rng));
  const smoothing = checkSmoothing(fn, options.labelSmoothing ?? 0);
  const tgt = targetBatch(fn, targets, model.targetVocab, model.maxTargetLength, model.bos, model.eos);
  if (!Array.isArray(sources) || sources.length !== tgt.lengths.length) throw rxrnnError(ErrorCodes.SHAPE, fn, 'sources', `${tgt.lengths.length} sequences (one per target)`, describe(sources));
  const src = model.sourceBatch(sources); // checked, then allocated
  const ctx = options.ctx ?? {};
  const T = tgt.inputs.length;
  const enc = model.encode(src, ctx);
  let state = model.initialState(enc);
  let sum: tf.Tensor = tf.scalar(0);
  const fed: Int32Array[] = [];
  let tokens = tgt.inputs[0]; // BOS [B]
  for (let t = 0; t < T; t++) {
    fed.push(tokens);
    const r = model.step(state, tf.tensor1d(tokens, 'int32'), enc, ctx); // logits [B, V]
    const l = labelSmoothedCrossEntropy(r.logits, tf.tensor1d(tgt.outputs[t], 'int32'), smoothing); // [B]
    sum = tf.add(sum, tf.sum(tf.mul(l, tf.tensor1d(tgt.mask[t])))); // Σ_b m_tb ℓ_tb
    state = r.state;
    if (t + 1 < T) {
      const truth = tgt.inputs[t + 1];
      if (eps > 0) {
        const argmax = tf.argMax(r.logits, 1);
        const pred = argmax.dataSync(); // ŷ_t [B] (read back: a constant, no gradient)
        argmax.dispose();
        tokens = Int32Array.from(truth, (y, b) => (options.rng!.next() < eps ? pred[b] : y));
      } else tokens = truth;
    }
  }
  const count = tgt.lengths.reduce((a, n) => a + n, 0);
  return { loss: tf.div(sum, count) as tf.Scalar, sum: sum as tf.Scalar, count, fed };
}
