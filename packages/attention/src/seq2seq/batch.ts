/**
 * Batches of token-id sequences for the encoder–decoder, checked before anything is allocated:
 *
 *     sources  B sequences of lengths n_b (1 ≤ n_b ≤ maxSourceLength), padded to S = max n_b
 *              ids [S, B, 1] (0 at padding, as the embedding cell reads them), mask [B, S] (1 real, 0 pad)
 *     targets  B sequences y_b (0 ≤ |y_b| < maxTargetLength), T = max |y_b| + 1 decoder steps:
 *              inputs  [BOS, y_1 … y_n]      (teacher forcing)      T × [B]
 *              outputs [y_1 … y_n, EOS]      (what each step predicts)  T × [B]
 *              mask    1 up to and including EOS, 0 after          T × [B]
 *
 * Errors: E_ARGUMENT (not an array of sequences, an id that is not an integer in [0, V)),
 * E_SHAPE (an empty batch or an empty source), E_SIZE (a sequence longer than the limit).
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';

/** Token ids: one sequence. */
export type TokenIds = ArrayLike<number>;

/** A padded source batch on the device. */
export interface SourceBatch {
  /** ids [S, B, 1] float32 (0 at padding). */
  ids: tf.Tensor3D;
  /** 1 for real positions, 0 for padding, [B, S]. */
  mask: tf.Tensor2D;
  /** n_b per row. */
  lengths: readonly number[];
}

/** A target batch as per-step id arrays (tensors are made inside the loss's gradient scope). */
export interface TargetBatch {
  /** T × [B]: BOS, then the target tokens, 0 after a row ends. */
  inputs: Int32Array[];
  /** T × [B]: the target tokens, then EOS, 0 after. */
  outputs: Int32Array[];
  /** T × [B]: 1 up to and including each row's EOS. */
  mask: Float32Array[];
  /** |y_b| + 1 per row (the counted steps). */
  lengths: readonly number[];
}

/** Check a batch of id sequences: returns their lengths. Allocates nothing. */
export function checkIds(fn: string, arg: string, seqs: unknown, vocab: number, maxLength: number, allowEmpty: boolean): number[] {
  if (!Array.isArray(seqs) || seqs.length === 0) throw rxrnnError(ErrorCodes.SHAPE, fn, arg, 'a non-empty array of id sequences', describe(seqs));
  return seqs.map((s: unknown, b) => {
    if (!(Array.isArray(s) || ArrayBuffer.isView(s))) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `${arg}[${b}]`, 'an array of token ids', describe(s));
    const ids = s as ArrayLike<number>;
    if (ids.length === 0 && !allowEmpty) throw rxrnnError(ErrorCodes.SHAPE, fn, `${arg}[${b}]`, 'a non-empty sequence', 'an empty sequence');
    if (ids.length > maxLength) throw rxrnnError(ErrorCodes.SIZE, fn, `${arg}[${b}]`, `at most ${maxLength} tokens`, `${ids.length} tokens`);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= vocab) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `${arg}[${b}][${i}]`, `a token id in [0, ${vocab})`, describe(id));
    }
    return ids.length;
  });
}

/** Pad checked sources into a {@link SourceBatch} (see the module comment). */
export function sourceBatch(fn: string, sources: readonly TokenIds[], vocab: number, maxLength: number): SourceBatch {
  const lengths = checkIds(fn, 'sources', sources, vocab, maxLength, false);
  const B = lengths.length;
  const S = Math.max(...lengths);
  const ids = new Float32Array(S * B); // [S, B]
  const mask = new Float32Array(B * S); // [B, S]
  sources.forEach((src, b) => {
    for (let j = 0; j < lengths[b]; j++) {
      ids[j * B + b] = src[j];
      mask[b * S + j] = 1;
    }
  });
  return { ids: tf.tensor3d(ids, [S, B, 1]), mask: tf.tensor2d(mask, [B, S]), lengths };
}

/** Shift checked targets into teacher-forcing steps (see the module comment). */
export function targetBatch(fn: string, targets: readonly TokenIds[], vocab: number, maxLength: number, bos: number, eos: number): TargetBatch {
  const lengths = checkIds(fn, 'targets', targets, vocab, maxLength - 1, true).map((n) => n + 1);
  const B = lengths.length;
  const T = Math.max(...lengths);
  const inputs = Array.from({ length: T }, () => new Int32Array(B));
  const outputs = Array.from({ length: T }, () => new Int32Array(B));
  const mask = Array.from({ length: T }, () => new Float32Array(B));
  targets.forEach((y, b) => {
    const n = lengths[b] - 1;
    for (let t = 0; t <= n; t++) {
      inputs[t][b] = t === 0 ? bos : y[t - 1];
      outputs[t][b] = t < n ? y[t] : eos;
      mask[t][b] = 1;
    }
  });
  return { inputs, outputs, mask, lengths };
}
