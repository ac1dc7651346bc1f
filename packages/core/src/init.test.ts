import { describe, it, expect } from 'vitest';
import { createRng, orthogonal, glorotUniform, identityInit, uniformInit } from './index.js';

describe('rng and initialisers', () => {
  it('the same seed gives the same numbers; different seeds differ', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(createRng(43).next()).not.toBe(xs[0]);
    const r = createRng(1);
    const n = 20000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const v = r.normal();
      sum += v;
      sq += v * v;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
  });

  it('orthogonal gives QᵀQ = I (tall) and QQᵀ = I (wide)', () => {
    for (const [rows, cols] of [
      [8, 5],
      [4, 16],
      [6, 6],
    ]) {
      const q = orthogonal(createRng(rows * cols), rows, cols);
      const tall = rows >= cols;
      const k = tall ? cols : rows;
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          let d = 0;
          for (let i = 0; i < (tall ? rows : cols); i++) d += tall ? q[i * cols + a] * q[i * cols + b] : q[a * cols + i] * q[b * cols + i];
          expect(d).toBeCloseTo(a === b ? 1 : 0, 5);
        }
      }
    }
  });

  it('glorot and uniform stay in bounds; identity is I', () => {
    const g = glorotUniform(createRng(1), 10, 30);
    const bound = Math.sqrt(6 / 40);
    expect(g.every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(uniformInit(createRng(2), 100, 0.1).every((v) => Math.abs(v) <= 0.1)).toBe(true);
    expect(Array.from(identityInit(2, 3, 0.5))).toEqual([0.5, 0, 0, 0, 0.5, 0]);
  });
});
