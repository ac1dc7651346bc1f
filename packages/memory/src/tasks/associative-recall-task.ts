/**
 * The associative recall task (Graves et al. 2014, §4.3): a list of n items, each 3 random binary
 * vectors of width K (6), each item preceded by a delimiter; then a query delimiter, one of the
 * items (not the last), the query delimiter again — and the model must output the item that followed
 * the queried one in the list. The NTM learns to find the query by content and step one row on.
 *
 *     per item i:   [0…0; 1; 0]  then its 3 vectors [bits; 0; 0]                (4 steps each)
 *     query:        [0…0; 0; 1]  the queried item's 3 vectors  [0…0; 0; 1]      (5 steps)
 *     answer:       3 steps of zero input; target the next item's 3 vectors     (scored: `lossFrom`)
 *
 * Input width K + 2, output width K; T = 4n + 8, `lossFrom` = 4n + 5. All sequences of a batch have
 * the same n (each its own query position).
 */
import { createRng, checkSize, rxrnnError, ErrorCodes, describe, type Rng } from '@rxrnn/core';
import type { BitTaskBatch } from './copy-task.js';

export interface AssociativeRecallOptions {
  /** Width of a vector. Default 6. */
  bits?: number;
  /** Vectors per item. Default 3. */
  itemLength?: number;
}

/** Input and output widths of the associative recall task. */
export const associativeRecallSizes = (bits = 6): { inputSize: number; outputSize: number } => ({ inputSize: bits + 2, outputSize: bits });

/** One batch of `batch` lists of `items` items (n ≥ 2). */
export function associativeRecallBatch(rng: Rng, batch: number, items: number, options: AssociativeRecallOptions = {}): BitTaskBatch {
  const fn = 'associativeRecallBatch';
  checkSize(fn, 'batch', batch);
  checkSize(fn, 'items', items);
  if (items < 2) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'items', 'at least 2 (a query and the item after it)', describe(items));
  const K = options.bits ?? 6;
  const V = options.itemLength ?? 3;
  checkSize(fn, 'options.bits', K);
  checkSize(fn, 'options.itemLength', V);
  const X = K + 2;
  const n = items;
  const T = n * (V + 1) + 2 * V + 2;
  const lossFrom = T - V;
  const inputs = new Float32Array(T * batch * X);
  const targets = new Float32Array(T * batch * K);
  const set = (t: number, b: number, j: number, v: number) => (inputs[(t * batch + b) * X + j] = v);
  for (let b = 0; b < batch; b++) {
    const bits = Array.from({ length: n * V * K }, () => (rng.next() < 0.5 ? 1 : 0)); // item i, vector v, bit j at (i·V + v)·K + j
    for (let i = 0; i < n; i++) {
      set(i * (V + 1), b, K, 1); // item delimiter
      for (let v = 0; v < V; v++) for (let j = 0; j < K; j++) set(i * (V + 1) + 1 + v, b, j, bits[(i * V + v) * K + j]);
    }
    const q = rng.int(n - 1); // the queried item (never the last: it has no successor)
    const t0 = n * (V + 1);
    set(t0, b, K + 1, 1); // query delimiter
    for (let v = 0; v < V; v++) for (let j = 0; j < K; j++) set(t0 + 1 + v, b, j, bits[(q * V + v) * K + j]);
    set(t0 + V + 1, b, K + 1, 1); // query delimiter
    for (let v = 0; v < V; v++) for (let j = 0; j < K; j++) targets[((lossFrom + v) * batch + b) * K + j] = bits[((q + 1) * V + v) * K + j];
  }
  return { inputs, targets, T, B: batch, X, K, lossFrom, length: n };
}

/** Training batches: batch `i` of seed `seed` has a number of items in minItems … maxItems (default 2 … 6). */
export function associativeRecallTask(seed: number, options: AssociativeRecallOptions & { batch: number; minItems?: number; maxItems?: number }): (index: number) => BitTaskBatch {
  const lo = options.minItems ?? 2;
  const hi = options.maxItems ?? 6;
  if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 2 && hi >= lo)) throw rxrnnError(ErrorCodes.ARGUMENT, 'associativeRecallTask', 'options.maxItems', `integers 2 ≤ minItems ≤ maxItems`, describe([lo, hi]));
  return (index: number) => {
    const rng = createRng(seed * 1_000_037 + index);
    return associativeRecallBatch(rng, options.batch, lo + rng.int(hi - lo + 1), options);
  };
}
