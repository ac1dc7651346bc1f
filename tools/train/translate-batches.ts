/**
 * The data side of tools/train/translate.ts, pure and tested: batches bucketed by length, and the word
 * tokens BLEU is computed on.
 */
import { createRng } from '@rxrnn/core';

/**
 * One epoch's batches: the items shuffled (seeded by `seed` and `epoch`), cut into pools of 64 batches,
 * each pool sorted by `length` (source, then target), cut into batches of `batch`, the batches shuffled.
 * Every item is in exactly one batch; a batch holds items of similar length, so little padding is computed.
 */
export function epochBatches<T>(items: readonly T[], batch: number, seed: number, epoch: number, length: (x: T) => [number, number]): T[][] {
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`epochBatches: batch: expected a positive integer, received ${batch}`);
  const rng = createRng(seed * 7919 + epoch);
  const order = items.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const batches: T[][] = [];
  const pool = 64 * batch;
  for (let p = 0; p < order.length; p += pool) {
    const chunk = order.slice(p, p + pool).sort((x, y) => {
      const [sx, tx] = length(items[x]);
      const [sy, ty] = length(items[y]);
      return sx - sy || tx - ty;
    });
    for (let b = 0; b < chunk.length; b += batch) batches.push(chunk.slice(b, b + batch).map((i) => items[i]));
  }
  for (let i = batches.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [batches[i], batches[j]] = [batches[j], batches[i]];
  }
  return batches;
}

/** Word tokens for BLEU: runs of letters (with their combining marks) or digits, and single punctuation marks. NFC first. */
export function wordTokens(s: string): string[] {
  return s.normalize('NFC').match(/[\p{L}\p{M}]+|\p{N}+|[^\s\p{L}\p{M}\p{N}]/gu) ?? [];
}
