/**
 * Greedy decoding for evaluation, as a plain function over a batch of sources (the streaming
 * greedy/beam operators work one source at a time through a `DecodeSession`):
 *
 *     ŷ_0 = BOS;  ŷ_t = argmax_v logits_t(ŷ_{t−1})  until EOS or `maxLength` tokens
 *
 * Rows that have ended keep stepping (on EOS) until every row has, their outputs ignored. Returns
 * the tokens without EOS, and with `alignments` the α_t rows over each source's real positions.
 * Leaves no tensors behind.
 */
import * as tf from '@tensorflow/tfjs';
import { checkSize } from '@rxrnn/core';
import type { TokenIds } from './batch.js';
import { disposeEncoded, type Seq2SeqModel } from './model.js';
import type { DecoderState } from '../decoder-step.js';

export interface GreedyOptions {
  /** Most tokens per output (EOS not counted). Default the model's maxTargetLength − 1. */
  maxLength?: number;
  /** Also return the alignments: per row, per output step, α over the source's real positions. */
  alignments?: boolean;
}

export interface GreedyResult {
  tokens: number[][];
  /** Per row: one array per emitted token (and the EOS step), each of the row's source length. */
  alignments?: number[][][];
}

/** Decode `sources` greedily (see the module comment). */
export function seq2seqGreedy(model: Seq2SeqModel, sources: readonly TokenIds[], options: GreedyOptions = {}): GreedyResult {
  const maxLength = options.maxLength ?? model.maxTargetLength - 1;
  checkSize('seq2seqGreedy', 'options.maxLength', maxLength);
  const batch = model.sourceBatch(sources); // checked first
  const B = batch.lengths.length;
  const enc = model.encode(batch);
  let state: DecoderState = tf.tidy(() => model.initialState(enc));
  const tokens: number[][] = Array.from({ length: B }, () => []);
  const aligns: number[][][] | undefined = options.alignments ? Array.from({ length: B }, () => []) : undefined;
  const done = new Array<boolean>(B).fill(false);
  let fed = new Int32Array(B).fill(model.bos);
  try {
    for (let t = 0; t <= maxLength && done.some((d) => !d); t++) {
      const { next, ids, alpha } = tf.tidy(() => {
        const r = model.step(state, tf.tensor1d(fed, 'int32'), enc);
        return { next: r.state, ids: tf.argMax(r.logits, 1), alpha: options.alignments ? r.alignment : undefined };
      });
      tf.dispose(state as never);
      state = next;
      const pred = ids.dataSync();
      const a = alpha?.arraySync() as number[][] | undefined;
      tf.dispose([ids, alpha]);
      fed = Int32Array.from(pred);
      for (let b = 0; b < B; b++) {
        if (done[b]) continue;
        if (aligns && a) aligns[b].push(a[b].slice(0, batch.lengths[b]));
        if (pred[b] === model.eos || t === maxLength) done[b] = true;
        else tokens[b].push(pred[b]);
      }
    }
  } finally {
    tf.dispose(state as never);
    disposeEncoded(enc, batch);
  }
  return aligns ? { tokens, alignments: aligns } : { tokens };
}
