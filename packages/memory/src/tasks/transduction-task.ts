/**
 * The synthetic transduction tasks of Grefenstette et al. (2015, §4.1): read a sequence of symbols,
 * then a separator, then write its **copy**, its **reversal**, or its **bigram flip** (each pair of
 * neighbours swapped: a₁a₂a₃a₄ → a₂a₁a₄a₃). A stack suits reversal, a queue copying, a deque both
 * (and bigram flipping); the paper trains on lengths 8–64 and tests on 65–128.
 *
 *     step        0 … L−1            L             L+1 … 2L
 *     input       onehot(a_t)        separator     nothing (zeros)            width V + 1 (the separator channel last)
 *     target      —                  —             the output's symbol        class ids; −1 where not scored
 *
 * Seeded: the same rng state gives the same batch. Every sequence of a batch has the same length, so
 * a trainer counts the loss from step L + 1 (`lossFrom`); the −1 targets before it also score 0 with
 * core's `softmaxCrossEntropy`. Shapes: inputs [T, B, V + 1], targets [T, B] (ids), T = 2L + 1.
 */
import { checkSize, rxrnnError, ErrorCodes, describe, type Rng } from '@rxrnn/core';

export type TransductionKind = 'copy' | 'reverse' | 'bigram-flip';

export interface TransductionBatch {
  /** [T, B, V + 1], time-major. */
  inputs: Float32Array;
  /** [T, B] class ids in [0, V), −1 where not scored. */
  targets: Float32Array;
  T: number;
  B: number;
  /** Input width V + 1. */
  X: number;
  /** Symbols V (the output width). */
  V: number;
  /** The first scored step, L + 1. */
  lossFrom: number;
  length: number;
}

const KINDS: readonly TransductionKind[] = ['copy', 'reverse', 'bigram-flip'];

/** The output a task asks for, from its input symbols. */
export function transduce(kind: TransductionKind, symbols: readonly number[]): number[] {
  if (kind === 'copy') return [...symbols];
  if (kind === 'reverse') return [...symbols].reverse();
  if (kind === 'bigram-flip') return symbols.map((_, i) => (i % 2 === 0 ? (symbols[i + 1] ?? symbols[i]) : symbols[i - 1]));
  throw rxrnnError(ErrorCodes.ARGUMENT, 'transduce', 'kind', KINDS.map((k) => `'${k}'`).join(', '), describe(kind));
}

/** One batch of `batch` sequences of `length` symbols drawn uniformly from V = `vocab` (default 128). */
export function transductionBatch(rng: Rng, kind: TransductionKind, batch: number, length: number, vocab = 128): TransductionBatch {
  const fn = 'transductionBatch';
  if (!KINDS.includes(kind)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'kind', KINDS.map((k) => `'${k}'`).join(', '), describe(kind));
  checkSize(fn, 'batch', batch);
  checkSize(fn, 'length', length);
  checkSize(fn, 'vocab', vocab);
  if (kind === 'bigram-flip' && length % 2 !== 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'length', 'an even length (bigram flipping swaps pairs)', describe(length));
  const L = length;
  const V = vocab;
  const X = V + 1;
  const T = 2 * L + 1;
  const inputs = new Float32Array(T * batch * X);
  const targets = new Float32Array(T * batch).fill(-1);
  for (let b = 0; b < batch; b++) {
    const symbols = Array.from({ length: L }, () => Math.min(V - 1, Math.floor(rng.next() * V)));
    symbols.forEach((s, t) => (inputs[(t * batch + b) * X + s] = 1));
    inputs[(L * batch + b) * X + V] = 1; // the separator
    transduce(kind, symbols).forEach((s, i) => (targets[(L + 1 + i) * batch + b] = s));
  }
  return { inputs, targets, T, B: batch, X, V, lossFrom: L + 1, length: L };
}
