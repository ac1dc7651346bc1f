/**
 * Weight initialisers. Each returns a Float32Array in row-major order for a `[rows, cols]` matrix
 * (or a vector), drawn from a seeded {@link Rng}, so the same seed gives the same weights.
 */
import type { Rng } from './rng.js';

/** PyTorch's default for recurrent layers: U(−1/√H, 1/√H). */
export function uniformInit(rng: Rng, n: number, bound: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-bound, bound);
  return out;
}

/** Glorot/Xavier uniform: U(±√(6/(fanIn+fanOut))) for a [rows, cols] matrix (fanIn = rows). */
export function glorotUniform(rng: Rng, rows: number, cols: number): Float32Array {
  return uniformInit(rng, rows * cols, Math.sqrt(6 / (rows + cols)));
}

/**
 * Orthogonal initialiser (Saxe et al. 2014): a random Gaussian matrix orthonormalised by modified
 * Gram–Schmidt (equivalent to the Q of a QR decomposition, sign-corrected), times `gain`.
 * For rows ≠ cols the result has orthonormal rows or columns, whichever is fewer.
 */
export function orthogonal(rng: Rng, rows: number, cols: number, gain = 1): Float32Array {
  const tall = rows >= cols;
  const n = tall ? rows : cols; // length of each vector
  const k = tall ? cols : rows; // number of orthonormal vectors
  const v: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = rng.normal();
    for (const q of v) {
      let d = 0;
      for (let i = 0; i < n; i++) d += q[i] * a[i];
      for (let i = 0; i < n; i++) a[i] -= d * q[i];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[i] * a[i];
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < n; i++) a[i] /= norm;
    v.push(a);
  }
  const out = new Float32Array(rows * cols);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < n; i++) {
      // tall: v[j] is column j; wide: v[j] is row j.
      if (tall) out[i * cols + j] = gain * v[j][i];
      else out[j * cols + i] = gain * v[j][i];
    }
  }
  return out;
}

/** Identity (scaled), for IRNN (Le et al. 2015): ReLU RNN with U = I. */
export function identityInit(rows: number, cols: number, scale = 1): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < Math.min(rows, cols); i++) out[i * cols + i] = scale;
  return out;
}

/** A constant vector. */
export function constantInit(n: number, value: number): Float32Array {
  return new Float32Array(n).fill(value);
}
