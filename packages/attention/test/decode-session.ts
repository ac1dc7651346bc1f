/**
 * A tiny hand-built {@link DecodeSession} for the decoding tests: a random-weight attentional decoder
 * (`attentionDecoder` over a GRU cell; additive attention with coverage, location-aware attention or hard MoChA)
 * on a random source, a random embedding of the previous token and a random output layer with a
 * log-softmax over V tokens (plus a random previous-token table, so that outputs vary). Counts its steps; owns every tensor it makes (freed by `dispose()`).
 */
import * as tf from '@tensorflow/tfjs';
import { gruCell, type GruState } from '@rxrnn/cells';
import { attentionDecoder, selectDecoderState, disposeDecoderState, type DecoderState } from '../src/decoder-step.js';
import { additiveAttention } from '../src/additive.js';
import { locationAttention } from '../src/location.js';
import { mochaAttention } from '../src/mocha.js';
import type { DecodeSession } from '../src/decode/types.js';
import type { Memory } from '../src/types.js';

export interface TinySessionOptions {
  vocabSize: number;
  sourceLength: number;
  seed: number;
  bos?: number;
  eos?: number;
  /** Scale of the output layer's weights: larger → more peaked distributions. Default 2. */
  sharpness?: number;
  mechanism?: 'additive' | 'location' | 'mocha';
  /** Throw from `step` at this step (1-based), to test error paths. */
  failAt?: number;
}

export type TinySession = DecodeSession<DecoderState> & { steps: number; disposed: boolean };

const H = 4, D = 3, X = 3;

export function tinySession(o: TinySessionOptions): TinySession {
  const { vocabSize: V, sourceLength: S, seed } = o;
  const cell = gruCell({ inputSize: X + H, hiddenSize: H, seed });
  const attention =
    o.mechanism === 'location'
      ? locationAttention({ querySize: H, keySize: D, units: 3, filters: 2, kernelSize: 3, seed: seed + 1 })
      : o.mechanism === 'mocha'
        ? mochaAttention({ querySize: H, keySize: D, units: 3, chunkSize: 2, seed: seed + 1, initialOffset: 0 }) // hard at inference
        : additiveAttention({ querySize: H, keySize: D, units: 3, coverage: true, seed: seed + 1, weights: { coverage_kernel: { shape: [3], data: Float32Array.from([0.8, -0.6, 0.4]) } } });
  const dec = attentionDecoder(cell, attention, { inputSize: X, seed: seed + 2 });
  const keys = tf.randomNormal([1, S, D], 0, 1.5, 'float32', seed + 3) as tf.Tensor3D;
  const memory = attention.precompute(keys);
  const embedding = tf.randomNormal([V, X], 0, 2, 'float32', seed + 4) as tf.Tensor2D;
  const outKernel = tf.randomNormal([H, V], 0, o.sharpness ?? 2, 'float32', seed + 5) as tf.Tensor2D;
  const outBias = tf.randomNormal([V], 0, 0.2, 'float32', seed + 6) as tf.Tensor1D;
  const bigram = tf.randomNormal([V, V], 0, 1.5, 'float32', seed + 7) as tf.Tensor2D; // a direct previous-token term, so outputs vary
  const session: TinySession = {
    vocabSize: V,
    bos: o.bos ?? 0,
    eos: o.eos ?? 1,
    sourceLength: S,
    steps: 0,
    disposed: false,
    initialState: (K) => dec.initialState(K, S),
    step(state, tokens) {
      session.steps++;
      if (o.failAt === session.steps) throw new Error(`tiny session: failing at step ${session.steps} as asked`);
      const K = tokens.length;
      return tf.tidy(() => {
        const x = tf.gather(embedding, tf.tensor1d(tokens, 'int32')) as tf.Tensor2D; // [K, X]
        const mem: Memory = { keys: tf.tile(keys, [K, 1, 1]) as tf.Tensor3D, projected: memory.projected ? (tf.tile(memory.projected, [K, 1, 1]) as tf.Tensor3D) : null, dispose: () => {} };
        const r = dec.step(state as DecoderState<GruState>, x, mem); // h̃ [K, H], α [K, S]
        const prev = tf.gather(bigram, tf.tensor1d(tokens, 'int32')); // [K, V]
        const logProbs = tf.logSoftmax(r.output.matMul(outKernel).add(outBias).add(prev)) as tf.Tensor2D; // [K, V]
        return { logProbs, state: r.state, alignment: r.alignment.clone() }; // a copy: the search frees the alignment it reads
      });
    },
    select: (state, rows) => selectDecoderState(state, rows),
    disposeState: (state) => disposeDecoderState(state),
    dispose() {
      session.disposed = true;
      memory.dispose();
      tf.dispose([keys, embedding, outKernel, outBias, bigram]);
      dec.dispose();
      attention.dispose();
      cell.dispose();
    },
  };
  return session;
}
