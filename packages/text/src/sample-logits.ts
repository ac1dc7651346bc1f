/**
 * Draw a token from logits with a temperature: p = softmax(logits / T). T → 0 is greedy (argmax),
 * T = 1 the model's distribution, T > 1 flatter. Runs on one row of read-back logits (a few hundred
 * numbers), so it is plain JS; the randomness comes from a seeded Rng.
 */
import { rxrnnError, ErrorCodes, describe, type Rng } from '@rxrnn/core';

export function sampleLogits(logits: ArrayLike<number>, temperature: number, rng: Rng): number {
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw rxrnnError(ErrorCodes.ARGUMENT, 'sampleLogits', 'temperature', 'a finite number ≥ 0', describe(temperature));
  const n = logits.length;
  if (n === 0) throw rxrnnError(ErrorCodes.SIZE, 'sampleLogits', 'logits', 'at least one value', 'none');
  let best = 0;
  for (let i = 1; i < n; i++) if (logits[i] > logits[best]) best = i;
  if (temperature === 0) return best;
  const max = logits[best];
  const p = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += p[i] = Math.exp((logits[i] - max) / temperature);
  let u = rng.next() * sum;
  for (let i = 0; i < n; i++) if ((u -= p[i]) < 0) return i;
  return n - 1;
}
