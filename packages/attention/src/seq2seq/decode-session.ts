/**
 * `DecodeSession`: the contract between a model and the streaming decoders (greedy, beam search):
 * one source, encoded once, stepped for K live hypotheses at a time. `seq2seqSession(model, source)`
 * adapts an encoder–decoder to it:
 *
 *     initialState(K)        K copies of the decoder's first state
 *     step(state, tokens[K]) → log softmax(logits) [K, V], the next state, α [K, S]
 *     select(state, rows)    gather rows (beam reordering), new tensors
 *
 * The encoded source [1, S, D] is tiled to K rows (and its attention projection precomputed) once
 * per K and kept until `dispose()`. Every tensor returned belongs to the caller.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import type { TokenIds } from './batch.js';
import { disposeEncoded, type Encoded, type Seq2SeqModel } from './model.js';
import { selectDecoderState, disposeDecoderState, type DecoderState } from '../decoder-step.js';
import type { DecodeSession } from '../decode/types.js';

/** A {@link DecodeSession} over one source for an encoder–decoder (see the module comment). */
export function seq2seqSession(model: Seq2SeqModel, source: TokenIds): DecodeSession<DecoderState> {
  const fn = 'seq2seqSession';
  const batch = model.sourceBatch([source]); // checked (E_SHAPE / E_ARGUMENT / E_SIZE), then allocated
  const S = batch.lengths[0];
  const first = model.encode(batch);
  first.memory.dispose();
  const one = first.keys; // [1, S, D]
  const byK = new Map<number, Encoded>();
  let disposed = false;
  const live = (where: string) => {
    if (disposed) throw rxrnnError(ErrorCodes.DISPOSED, `${fn}.${where}`, 'session', 'a live session', 'a disposed session');
  };
  const encodedFor = (K: number): Encoded => {
    let e = byK.get(K);
    if (!e) {
      const keys = tf.tidy(() => tf.tile(one, [K, 1, 1]) as tf.Tensor3D); // [K, S, D]
      const mask = tf.ones([K, S]) as tf.Tensor2D;
      e = { keys, memory: model.decoder.attention.precompute(keys), mask, lengths: new Array<number>(K).fill(S) };
      byK.set(K, e);
    }
    return e;
  };
  const checkK = (where: string, K: unknown) => {
    if (!Number.isInteger(K) || (K as number) < 1) throw rxrnnError(ErrorCodes.ARGUMENT, `${fn}.${where}`, 'beams', 'a positive integer', describe(K));
  };
  return {
    vocabSize: model.targetVocab,
    bos: model.bos,
    eos: model.eos,
    sourceLength: S,
    initialState(beams) {
      live('initialState');
      checkK('initialState', beams);
      const e = encodedFor(beams); // kept until dispose(): made outside the tidy
      return tf.tidy(() => model.initialState(e));
    },
    step(state, tokens) {
      live('step');
      const K = state?.attentional?.shape?.[0];
      if (!(tokens instanceof Int32Array) || tokens.length !== K) throw rxrnnError(ErrorCodes.SHAPE, `${fn}.step`, 'tokens', `an Int32Array of ${K} ids (one per state row)`, describe(tokens));
      for (const id of tokens) if (id < 0 || id >= model.targetVocab) throw rxrnnError(ErrorCodes.ARGUMENT, `${fn}.step`, 'tokens', `ids in [0, ${model.targetVocab})`, describe(id));
      const e = encodedFor(K);
      return tf.tidy(() => {
        const r = model.step(state, tf.tensor1d(tokens, 'int32'), e);
        // (the alignment is also the state's α_{t−1}: the search frees what step returns beside the state, so a copy)
        return { logProbs: tf.logSoftmax(r.logits) as tf.Tensor2D, state: r.state, alignment: r.alignment.clone() };
      });
    },
    select(state, rows) {
      live('select');
      const K = state.attentional.shape[0];
      if (!(rows instanceof Int32Array) || rows.length === 0 || rows.some((r) => r < 0 || r >= K)) throw rxrnnError(ErrorCodes.ARGUMENT, `${fn}.select`, 'rows', `a non-empty Int32Array of rows in [0, ${K})`, describe(rows));
      return selectDecoderState(state, rows);
    },
    disposeState: (state) => disposeDecoderState(state),
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const e of byK.values()) {
        disposeEncoded(e);
        e.mask.dispose();
      }
      byK.clear();
      one.dispose();
      tf.dispose([batch.ids, batch.mask]);
    },
  };
}
