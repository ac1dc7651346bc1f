// dropoutMasks: the values, the rate, and the block-per-seed contract that lets a chunk drop the same
// units as stepping (the stack's step/chunk equality itself is in fused/automatic.test.ts).
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, createRng } from '@rxrnn/core';
import { dropoutMasks } from './dropout-masks.js';

describe('dropoutMasks', () => {
  beforeAll(async () => {
    await initBackend({ log: null });
  });

  it('gives 0 or 1/(1 − p), at rate p, one block per seed, the same for the same seed', () => {
    const before = tf.memory().numTensors;
    const p = 0.3;
    const seeds = [7, 8, 9, 7];
    const m = dropoutMasks(seeds, 50, 41, p); // odd sizes
    expect(m.shape).toEqual([4, 50, 41]);
    const v = m.dataSync();
    const scale = Math.fround(1 / (1 - p));
    expect(v.every((x) => x === 0 || x === scale)).toBe(true);
    const dropped = v.filter((x) => x === 0).length / v.length;
    expect(Math.abs(dropped - p)).toBeLessThan(0.02); // 8,200 draws: σ ≈ 0.005
    const n = 50 * 41;
    const block = (k: number) => Array.from(v.subarray(k * n, (k + 1) * n));
    const alone = dropoutMasks([8], 50, 41, p);
    expect(Array.from(alone.dataSync())).toEqual(block(1)); // a step's mask = the chunk's block
    expect(block(3)).toEqual(block(0)); // same seed, same mask
    expect(block(1)).not.toEqual(block(0));
    const rng = createRng(9); // the documented stream: entry j of block k drops when createRng(seeds[k]).next() < p
    expect(block(2)).toEqual(Array.from({ length: n }, () => (rng.next() < p ? 0 : scale)));
    tf.dispose([m, alone]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
