/**
 * `embeddingCell`: a stateless lookup table as a Cell: the input is a token id per batch row,
 * `[B, 1]` (as float32), the output its row of the table, `[B, E]`. Put it first in `stackCells`
 * to feed tokens to a recurrent layer. Ids must be integers in [0, V); pipelines validate them
 * before they reach the step (a lookup out of range would give zeros).
 *
 * Parameters: `embeddings` [V, E] (Keras' name; PyTorch's `weight`).
 */
import * as tf from '@tensorflow/tfjs';
import { defineCell, checkSize, createRng, uniformInit, type Cell } from '@rxrnn/core';
import { param, checkWeightNames, type WeightsInput } from '../shared/weights.js';

export interface EmbeddingCellOptions {
  vocabSize: number;
  embeddingSize: number;
  seed?: number;
  weights?: WeightsInput;
}

export function embeddingCell(options: EmbeddingCellOptions): Cell<Record<string, never>> {
  const fn = 'embeddingCell';
  const { vocabSize: V, embeddingSize: E } = options ?? ({} as EmbeddingCellOptions);
  checkSize(fn, 'options.vocabSize', V);
  checkSize(fn, 'options.embeddingSize', E);
  checkWeightNames(fn, options.weights, ['embeddings']);
  const rng = createRng(options.seed ?? 0);
  return defineCell<{ embeddings: tf.Tensor2D }, Record<string, never>>({
    kind: 'embedding',
    inputSize: 1,
    outputSize: E,
    config: { vocabSize: V, embeddingSize: E },
    params: { embeddings: param(fn, options.weights, 'embeddings', [V, E], () => uniformInit(rng, V * E, 0.1)) },
    initialState: () => ({}),
    step: (p, s, x) => {
      const ids = tf.cast(tf.reshape(x, [-1]), 'int32'); // [B]
      return [tf.gather(p.embeddings, ids) as tf.Tensor2D, s]; // [B, E]
    },
    // All T steps in one lookup: [T, B, 1] ids → [T, B, E].
    sequence: (p, s, xs) => {
      const [T, B] = xs.shape;
      const ids = tf.cast(tf.reshape(xs, [-1]), 'int32'); // [T·B]
      return [tf.reshape(tf.gather(p.embeddings, ids), [T, B, E]) as tf.Tensor3D, s];
    },
  });
}
