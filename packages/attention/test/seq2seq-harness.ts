/**
 * Shared by the seq2seq tests: a tiny encoder–decoder (3 encoder layers with the bidirectional one,
 * 3 decoder layers, so both residual connections are in), and a teacher-forced run that returns the
 * logits and alignments of every step.
 */
import * as tf from '@tensorflow/tfjs';
import { seq2seqModel, disposeEncoded, type Seq2SeqModel, type Seq2SeqOptions } from '../src/seq2seq/model.js';
import { targetBatch, type TokenIds } from '../src/seq2seq/batch.js';
import type { DecoderState } from '../src/decoder-step.js';

export const TINY: Seq2SeqOptions = { sourceVocab: 7, targetVocab: 6, bos: 1, eos: 2, embeddingSize: 3, encoderSize: 2, decoderSize: 4, encoderLayers: 3, decoderLayers: 3, maxSourceLength: 8, maxTargetLength: 6, seed: 3 };

export function tinyModel(extra: Partial<Seq2SeqOptions> = {}): Seq2SeqModel {
  return seq2seqModel({ ...TINY, ...extra });
}

/** Teacher-forced logits [T][B][V] and alignments [T][B][S] (leaves no tensors). */
export function teacherForced(model: Seq2SeqModel, sources: readonly TokenIds[], targets: readonly TokenIds[]): { logits: number[][][]; alignment: number[][][] } {
  const tgt = targetBatch('test', targets, model.targetVocab, model.maxTargetLength, model.bos, model.eos);
  const batch = model.sourceBatch(sources);
  const enc = model.encode(batch);
  const out = tf.tidy(() => {
    let state: DecoderState = model.initialState(enc);
    const logits: tf.Tensor[] = [];
    const alignment: tf.Tensor[] = [];
    for (const ids of tgt.inputs) {
      const r = model.step(state, tf.tensor1d(ids, 'int32'), enc);
      logits.push(r.logits);
      alignment.push(r.alignment);
      state = r.state;
    }
    return { logits: tf.stack(logits).arraySync() as number[][][], alignment: tf.stack(alignment).arraySync() as number[][][] };
  });
  disposeEncoded(enc, batch);
  return out;
}
