/**
 * Randomness for training that a checkpoint can resume exactly: the generator for update `step`
 * (and a sub-stream, e.g. data sampling vs dropout) is derived from (seed, step, stream) alone, so
 * the "RNG position" of a run is its step count.
 */
import { createRng, type Rng } from '../rng.js';

/** A generator determined by (seed, step, stream). */
export function rngAt(seed: number, step: number, stream = 0): Rng {
  let h = Math.imul(seed >>> 0, 0x9e3779b1) >>> 0;
  h = (h ^ Math.imul((step >>> 0) + 0x7f4a7c15, 0x85ebca77)) >>> 0;
  h = (h ^ Math.imul((stream >>> 0) + 0x165667b1, 0xc2b2ae3d)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  return createRng(h ^ Math.floor(step / 4294967296));
}
