import type * as tf from '@tensorflow/tfjs';

/** One source being decoded; K = number of live hypotheses (beams). Log-probs are log-softmax. */
export interface DecodeSession<S> {
  readonly vocabSize: number; readonly bos: number; readonly eos: number;
  readonly sourceLength: number;
  initialState(beams: number): S;                                   // K copies of the start state
  step(state: S, tokens: Int32Array): { logProbs: tf.Tensor2D /*[K,V]*/; state: S; alignment?: tf.Tensor2D /*[K,S]*/ };
  select(state: S, rows: Int32Array): S;                             // gather rows (beam reordering), new tensors
  disposeState(state: S): void;
  dispose(): void;                                                   // release the encoded source
}
