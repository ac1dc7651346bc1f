/**
 * The char-rnn data pipeline: a corpus → ids → a fixed train/validation/test split → chunks of
 * `[T, B, 1]` inputs and `[T, B]` next-character targets for truncated BPTT.
 *
 * Batching follows Karpathy's char-rnn: the training ids are cut into B contiguous streams, and
 * chunk i holds characters [iT, (i+1)T) of every stream, so a state carried from chunk i to i+1
 * continues the same text. Each epoch after the first shifts the streams by a random offset < T
 * (drawn from the run's seeded RNG, so resumed runs see the same data).
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, type SequenceBatch } from '@rxrnn/core';
import { CharCodec } from './char-codec.js';

export interface CharSplit {
  codec: CharCodec;
  train: Int32Array;
  /** The first half of the held-out tail: for choosing between runs (learning curves, recipes). */
  validation: Int32Array;
  /** The second half of the held-out tail: reported once for a chosen model, never used to choose. */
  test: Int32Array;
  /** The whole held-out tail (validation, then test). */
  heldOut: Int32Array;
}

/**
 * Encode `text` and split it: the last `validationFraction` (default 5 %) is held out, and the
 * held-out tail is cut in two halves, validation then test. The split is fixed (no shuffling) so
 * every run and every model reports bpc on the same characters.
 *
 *     [ train ······································· | validation | test ]
 */
export function splitCorpus(text: string, validationFraction = 0.05, codec?: CharCodec): CharSplit {
  if (typeof text !== 'string' || text.length < 4) throw rxrnnError(ErrorCodes.ARGUMENT, 'splitCorpus', 'text', 'a string of at least 4 characters', describe(text));
  if (!(validationFraction > 0 && validationFraction < 1)) throw rxrnnError(ErrorCodes.ARGUMENT, 'splitCorpus', 'validationFraction', 'a number in (0, 1)', describe(validationFraction));
  const c = codec ?? CharCodec.fromText(text);
  const ids = Int32Array.from(c.encode(text, 'splitCorpus'));
  const cut = Math.floor(ids.length * (1 - validationFraction));
  const half = cut + Math.floor((ids.length - cut) / 2);
  return { codec: c, train: ids.subarray(0, cut), validation: ids.subarray(cut, half), test: ids.subarray(half), heldOut: ids.subarray(cut) };
}

/** Chunks of a token stream cut into B parallel streams (see the module comment). */
export interface StreamChunks {
  /** Chunks per epoch. */
  readonly perEpoch: number;
  /** Chunk `i` of the epoch with stream offset `offset`: inputs `[T, B, 1]` float32, targets `[T, B]` int32. */
  chunk(i: number, offset?: number): SequenceBatch;
}

export function streamChunks(ids: Int32Array, batch: number, seq: number): StreamChunks {
  const fn = 'streamChunks';
  for (const [k, v] of [['batch', batch], ['seq', seq]] as const) if (!Number.isInteger(v) || v < 1) throw rxrnnError(ErrorCodes.ARGUMENT, fn, k, 'a positive integer', describe(v));
  const segment = Math.floor(ids.length / batch);
  // One offset of up to seq − 1 and one target character must fit in each stream.
  const perEpoch = Math.floor((segment - seq) / seq);
  if (perEpoch < 1) throw rxrnnError(ErrorCodes.SIZE, fn, 'ids', `at least ${batch * 2 * seq + batch} ids for batch ${batch} × seq ${seq}`, `${ids.length}`);
  return {
    perEpoch,
    chunk(i, offset = 0) {
      const x = new Float32Array(seq * batch);
      const y = new Int32Array(seq * batch);
      for (let b = 0; b < batch; b++) {
        const base = b * segment + offset + i * seq;
        for (let t = 0; t < seq; t++) {
          x[t * batch + b] = ids[base + t];
          y[t * batch + b] = ids[base + t + 1];
        }
      }
      return { inputs: tf.tensor3d(x, [seq, batch, 1]), targets: tf.tensor2d(y, [seq, batch], 'int32') };
    },
  };
}
