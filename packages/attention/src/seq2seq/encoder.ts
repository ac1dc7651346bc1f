/**
 * The encoder of the encoder–decoder (GNMT, Wu et al. 2016, §3 and Fig. 1): a source embedding, a
 * bidirectional first layer, and optional unidirectional layers above it, with residual connections
 * from the third layer on (GNMT §3.2; `residualFrom`):
 *
 *     e_j  = E_src[x_j]                                            [S, B, E]
 *     →h_j = cell_f(→h_{j−1}, e_j),  ←h_j = cell_b(←h_{j+1}, e_j)   [S, B, H] each
 *     h⁰_j = [→h_j; ←h_j]                                          [S, B, 2H]
 *     hˡ_j = cell_l(hˡ_{j−1}, hˡ⁻¹_j) (+ hˡ⁻¹_j from the third layer on)   [S, B, 2H]
 *     keys = h^L transposed                                        [B, S, D = 2H]
 *
 * Padded sources: the forward direction and the upper layers read padding only after the real
 * tokens; the backward direction runs over each row reversed within its length
 * (`reverseWithinLengths`), so it starts at the last real token. Real positions' annotations are
 * then exactly those of the source alone. Each layer runs as one `runCellSequence` (fused kernels
 * when the cell has them). Pure; run inside a tidy or gradient scope.
 */
import * as tf from '@tensorflow/tfjs';
import { runCellSequence, type Cell, type StepContext } from '@rxrnn/core';
import { reverseWithinLengths } from './reverse-padded.js';
import type { SourceBatch } from './batch.js';

/** The encoder's cells (owned by the model). */
export interface EncoderCells {
  /** Embedding cell: ids [·, 1] → [·, E]. */
  embedding: Cell;
  /** First layer, forward direction: E → H. */
  forward: Cell;
  /** First layer, backward direction: E → H. */
  backward: Cell;
  /** Layers 2…L as one stack (2H → 2H, residual from the third layer), or null. */
  upper: Cell | null;
}

/** Source ids → the annotations (attention keys) [B, S, D]. */
export function encodeSource(cells: EncoderCells, batch: SourceBatch, ctx: StepContext = {}): tf.Tensor3D {
  const B = batch.lengths.length;
  const emb = runCellSequence(cells.embedding, {}, batch.ids, ctx)[0]; // [S, B, E]
  const [fwd] = runCellSequence(cells.forward, cells.forward.initialState(B), emb, ctx); // [S, B, H]
  const [rev] = runCellSequence(cells.backward, cells.backward.initialState(B), reverseWithinLengths(emb, batch.lengths), ctx); // [S, B, H], reversed
  let h = tf.concat([fwd, reverseWithinLengths(rev, batch.lengths)], 2) as tf.Tensor3D; // [S, B, 2H]
  if (cells.upper) h = runCellSequence(cells.upper, cells.upper.initialState(B), h, ctx)[0]; // [S, B, D]
  return tf.transpose(h, [1, 0, 2]) as tf.Tensor3D; // [B, S, D]
}
