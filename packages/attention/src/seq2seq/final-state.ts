/**
 * The plain encoder–decoder's "attention" (`seq2seqModel({ attention: 'none' })`): no attention at all,
 * the fixed summary of Cho et al. 2014 (§2.2) / Sutskever et al. 2014 in place of c_t at every step:
 *
 *     c = [→h_n; ←h_1]                      the two directions' final states   [B, D = 2H_enc]
 *     c_t = c for every t                   (Luong's h̃_t = tanh(W_c [c; h_t]) then reads the same c)
 *
 * →h_n is the forward direction's state at each row's last real position n_b (read with the mask:
 * last_j = m_j − m_{j+1}), ←h_1 the backward direction's state at position 1 (it has read the whole
 * row). The "alignment" it returns is ½ on those two positions, so shapes and masks stay those of
 * every mechanism; the decoder's output depends on nothing else of the source. No parameters.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe } from '@rxrnn/core';
import type { Attention, Memory } from '../types.js';

/** The one-hot of each row's last real position, [B, S] (mask [B, S] of 1s then 0s). */
export function lastPositions(mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const m = mask.toFloat(); // [B, S]
    const next = tf.pad(m.slice([0, 1], [-1, -1]), [[0, 0], [0, 1]]); // m_{j+1} [B, S]
    return m.sub(next) as tf.Tensor2D; // 1 at n_b only
  });
}

/** c = [→h_n; ←h_1] from annotations keys [B, S, 2H] and the mask [B, S] (see the module comment). */
export function finalStateSummary(keys: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, S, D] = keys.shape;
    const He = D / 2;
    const last = lastPositions(mask); // [B, S]
    const fwd = tf.matMul(last.reshape([B, 1, S]), keys.slice([0, 0, 0], [B, S, He])).reshape([B, He]); // →h_n [B, H]
    const bwd = keys.slice([0, 0, He], [B, 1, He]).reshape([B, He]); // ←h_1 [B, H]
    return tf.concat([fwd, bwd], 1) as tf.Tensor2D; // [B, D]
  });
}

/** The fixed-summary mechanism (see the module comment); `querySize` is only checked, `keySize` = D must be even. */
export function finalStateAttention(o: { querySize: number; keySize: number }): Attention {
  if (!Number.isInteger(o.keySize) || o.keySize % 2 !== 0) throw rxrnnError(ErrorCodes.SIZE, 'finalStateAttention', 'keySize', 'an even size (two directions)', describe(o.keySize));
  return {
    kind: 'dot', // scores nothing; typed as the parameter-free kind
    querySize: o.querySize,
    keySize: o.keySize,
    params: {},
    fused: false, // nothing to fuse: the summary is a gather
    precompute: (keys): Memory => ({ keys, projected: null, dispose() {} }),
    score: (query, memory) => tf.zerosLike(memory.keys.sum(2)) as tf.Tensor2D, // [B, S]: nothing is scored
    attend(query, memory, options = {}) {
      return tf.tidy(() => {
        const [B, S] = memory.keys.shape;
        const mask = options.mask ?? (tf.ones([B, S]) as tf.Tensor2D);
        const context = finalStateSummary(memory.keys, mask); // c [B, D]
        const first = tf.pad(tf.ones([B, 1]), [[0, 0], [0, S - 1]]); // position 1 [B, S] (S may be 1)
        const alignment = lastPositions(mask).add(first).mul(0.5) as tf.Tensor2D; // ½ on n_b and 1 (1 when n_b = 1)
        return { context, alignment };
      });
    },
    dispose() {},
  };
}
