/**
 * The inverted-dropout masks of a stack (Zaremba et al. 2014: dropout on the connections between
 * layers, not on the recurrent ones), written in one pass: n blocks of [rows, cols], block k drawn
 * from the SplitMix32 stream of `seeds[k]` (`createRng`), each entry
 *
 *     m = 1/(1 − p)  with probability 1 − p,   else 0        (so E[m ⊙ y] = y)
 *
 * A step draws one block with the step's seed, a chunk of T steps draws T blocks with the same
 * seeds in the same order, so stepping and whole chunks drop the same units. One loop instead of
 * tf.dropout's random draw and four kernels per step: a char-rnn update with dropout 0.1 (H = 384,
 * B = 16, T = 100, one trainer, both cores) went from 175–207 ms to 143–148 ms (without dropout: 120–146;
 * `npx tsx --conditions=@rxrnn/source tools/bench/dropout.ts`).
 */
import type * as tf from '@tensorflow/tfjs';
import { tensorFrom } from '@rxrnn/core';

/** Masks `[seeds.length, rows, cols]` for dropout rate `p` in [0, 1). */
export function dropoutMasks(seeds: readonly number[], rows: number, cols: number, p: number): tf.Tensor3D {
  const n = rows * cols;
  const scale = 1 / (1 - p);
  // Drop when the uint32 draw u satisfies u / 2³² < p, i.e. u < ⌈p·2³²⌉. The loop stays in int32
  // arithmetic (uint32 values held in doubles cost ~5×), so it compares u − 2³¹ with ⌈p·2³²⌉ − 2³¹ signed.
  const cut = Math.ceil(p * 4294967296);
  const cutS = (cut - 2147483648) | 0;
  // written straight into the tensor's memory (tensorFrom: no JavaScript copy; zeros to start with)
  return tensorFrom([seeds.length, rows, cols], (out) => {
    if (cut >= 4294967296) return; // (p rounds to 1: all dropped)
    for (let k = 0; k < seeds.length; k++) {
      // createRng(seed)'s SplitMix32 stream, inlined (a call per draw costs ~10× the draw).
      let s = seeds[k] | 0;
      for (let j = k * n, end = j + n; j < end; j++) {
        s = (s - 1640531527) | 0; // + 0x9e3779b9
        let z = s;
        z = Math.imul(z ^ (z >>> 16), -2048144789); // 0x85ebca6b
        z = Math.imul(z ^ (z >>> 13), -1028477387); // 0xc2b2ae35
        z ^= z >>> 16;
        out[j] = (z ^ -2147483648) < cutS ? 0 : scale; // u − 2³¹ < cut − 2³¹
      }
    }
  }) as tf.Tensor3D;
}
