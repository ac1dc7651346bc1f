/**
 * The coverage vector of Tu et al. 2016 and See et al. 2017 (eqs. 10–12), kept simple:
 *
 *   c_i = Σ_{k<i} α_k                    coverage, [B, S] (zeros at the first step)
 *   covloss_i = Σ_j min(α_ij, c_ij)      See et al.'s coverage loss
 *
 * Feed c_i to a mechanism built with `coverage: true` (`additiveAttention`, `concatAttention`) as
 * `attend(q, memory, { coverage })`; it adds w_c c_ij inside the tanh.
 */
import * as tf from '@tensorflow/tfjs';

/** The first step's coverage: zeros [B, S]. */
export function initialCoverage(batch: number, sourceLength: number): tf.Tensor2D {
  return tf.zeros([batch, sourceLength]);
}

/** c_{i+1} = c_i + α_i, [B, S]. */
export function accumulateCoverage(coverage: tf.Tensor2D, alignment: tf.Tensor2D): tf.Tensor2D {
  return tf.add(coverage, alignment);
}

/** Σ_j min(α_ij, c_ij), averaged over the batch: a scalar to add (weighted) to the training loss. */
export function coverageLoss(alignment: tf.Tensor2D, coverage: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.minimum(alignment, coverage).sum(-1).mean() as tf.Scalar); // [B, S] → [B] → []
}
