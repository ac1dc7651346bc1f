/**
 * `attentionDecoderSession(decoder, options)`: a {@link DecodeSession} over one encoded source for an
 * `attentionDecoder` with a target embedding and an output layer — what `greedyDecode` and `beamSearch`
 * consume. Per step, for K live hypotheses:
 *
 *   x_t   = E[y_{t−1}]                         embedding of the previous tokens   [K, X]
 *   h̃_t, state = decoder.step(state, x_t)      attentional decoder step           [K, H̃]
 *   log p(y_t) = log_softmax(h̃_t W_o + b_o)    output layer                       [K, V]
 *
 * The source's attention memory is precomputed once, and its tiling to K rows is made once per K
 * (kept until `dispose()`), not at every step. The session owns only what it makes (the memory and
 * its tilings); the decoder, the keys, the embedding and the output layer stay the caller's.
 *
 * ```ts
 * of(attentionDecoderSession(dec, { keys, embedding, output, bos: 0, eos: 1 }))
 *   .pipe(beamSearch({ beamWidth: 4, maxLength: 20 }))
 *   .subscribe((e) => console.log(e));
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, type State } from '@rxrnn/core';
import { selectDecoderState, disposeDecoderState, type AttentionDecoder, type DecoderState } from '../decoder-step.js';
import type { Memory } from '../types.js';
import type { DecodeSession } from './types.js';

export interface DecoderSessionOptions {
  /** The encoded source, [1, S, D] (the caller's). */
  keys: tf.Tensor3D;
  /** Target embedding E, [V, X] (the caller's). */
  embedding: tf.Tensor2D;
  /** Output layer W_o, [H̃, V] (the caller's). */
  output: tf.Tensor2D;
  /** Output bias b_o, [V] (the caller's). Default none. */
  outputBias?: tf.Tensor1D;
  bos: number;
  eos: number;
}

/** A {@link DecodeSession} for `decoder` over one source (see the module doc). */
export function attentionDecoderSession<S extends State>(decoder: AttentionDecoder<S>, o: DecoderSessionOptions): DecodeSession<DecoderState<S>> {
  const fn = 'attentionDecoderSession';
  const D = decoder.attention.keySize;
  const X = decoder.inputSize;
  const H = decoder.attentionalSize;
  const check = (arg: string, t: unknown, ok: boolean, want: string) => {
    if (!(t instanceof tf.Tensor) || !ok) throw rxrnnError(ErrorCodes.SHAPE, fn, arg, want, describe(t));
  };
  check('options.keys', o?.keys, o?.keys?.rank === 3 && o.keys.shape[0] === 1 && o.keys.shape[1] >= 1 && o.keys.shape[2] === D, `shape [1, S ≥ 1, ${D}]`);
  check('options.embedding', o.embedding, o.embedding?.rank === 2 && o.embedding.shape[1] === X, `shape [V, ${X}]`);
  const V = o.embedding.shape[0];
  check('options.output', o.output, o.output?.rank === 2 && o.output.shape[0] === H && o.output.shape[1] === V, `shape [${H}, ${V}]`);
  if (o.outputBias !== undefined) check('options.outputBias', o.outputBias, o.outputBias?.rank === 1 && o.outputBias.shape[0] === V, `shape [${V}]`);
  for (const name of ['bos', 'eos'] as const) {
    if (!Number.isInteger(o[name]) || o[name] < 0 || o[name] >= V) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `options.${name}`, `a token id in [0, ${V})`, describe(o[name]));
  }
  const S = o.keys.shape[1];
  const memory = decoder.attention.precompute(o.keys); // once per source
  const tiled = new Map<number, Memory>(); // K → the memory tiled to K rows, once per K
  let disposed = false;
  const live = (where: string) => {
    if (disposed) throw rxrnnError(ErrorCodes.DISPOSED, `${fn}.${where}`, 'session', 'a live session', 'a disposed session');
  };
  const memoryFor = (K: number): Memory => {
    if (K === 1) return memory;
    let m = tiled.get(K);
    if (!m) {
      const keys = tf.tile(o.keys, [K, 1, 1]) as tf.Tensor3D; // [K, S, D]
      const projected = memory.projected ? (tf.tile(memory.projected, [K, 1, 1]) as tf.Tensor3D) : null; // [K, S, A]
      m = { keys, projected, dispose: () => tf.dispose(projected ? [keys, projected] : [keys]) };
      tiled.set(K, m);
    }
    return m;
  };
  return {
    vocabSize: V,
    bos: o.bos,
    eos: o.eos,
    sourceLength: S,
    initialState: (K) => {
      live('initialState');
      return decoder.initialState(K, S);
    },
    step(state, tokens) {
      live('step');
      const K = state?.attentional?.shape?.[0];
      if (!(tokens instanceof Int32Array) || tokens.length !== K) throw rxrnnError(ErrorCodes.SHAPE, `${fn}.step`, 'tokens', `an Int32Array of ${K} ids (one per state row)`, describe(tokens));
      for (const id of tokens) if (!(id >= 0 && id < V)) throw rxrnnError(ErrorCodes.ARGUMENT, `${fn}.step`, 'tokens', `ids in [0, ${V})`, describe(id));
      const mem = memoryFor(K);
      return tf.tidy(() => {
        const x = tf.gather(o.embedding, tf.tensor1d(tokens, 'int32')) as tf.Tensor2D; // x_t [K, X]
        const r = decoder.step(state, x, mem); // h̃_t [K, H̃], α_t [K, S]
        const logits = r.output.matMul(o.output); // [K, V]
        const logProbs = tf.logSoftmax(o.outputBias ? logits.add(o.outputBias) : logits) as tf.Tensor2D; // [K, V]
        return { logProbs, state: r.state, alignment: r.alignment.clone() }; // a copy: the search frees what it reads
      });
    },
    select: (state, rows) => {
      live('select');
      const K = state.attentional.shape[0];
      if (!(rows instanceof Int32Array) || rows.length === 0 || rows.some((r) => r < 0 || r >= K)) throw rxrnnError(ErrorCodes.ARGUMENT, `${fn}.select`, 'rows', `a non-empty Int32Array of rows in [0, ${K})`, describe(rows));
      return selectDecoderState(state, rows);
    },
    disposeState: (state) => disposeDecoderState(state),
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const m of tiled.values()) m.dispose();
      tiled.clear();
      memory.dispose();
    },
  };
}
