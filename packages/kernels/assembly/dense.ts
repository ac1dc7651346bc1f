// rxrnn kernels (AssemblyScript): dense helpers: transpose, column sums (bias and peephole
// gradients), a bias broadcast into every row, and the gradients of a dense layer over many rows.

import { gemm, gemmTN, transposeInto } from './gemm';

/** dst[C, R] = src[R, C]ᵀ (dense), in 8×8 blocks. */
export function transpose(R: i32, C: i32, src: usize, dst: usize): void {
  transposeInto(R, C, src, C, dst, R);
}

/** out[N] = (accumulate ? out : 0) + Σ_m A[m, :] (bias gradients). */
export function colsum(M: i32, N: i32, a: usize, lda: i32, out: usize, accumulate: i32): void {
  if (accumulate == 0) memory.fill(out, 0, <usize>N << 2);
  for (let m = 0; m < M; m++) {
    const pa = a + ((<usize>m * <usize>lda) << 2);
    let j = 0;
    for (; j + 4 <= N; j += 4) v128.store(out + (<usize>j << 2), f32x4.add(v128.load(out + (<usize>j << 2)), v128.load(pa + (<usize>j << 2))));
    for (; j < N; j++) store<f32>(out + (<usize>j << 2), load<f32>(out + (<usize>j << 2)) + load<f32>(pa + (<usize>j << 2)));
  }
}

// Copy the row vector v[N] into each of the M rows of C (ldc = N).
export function broadcastRows(M: i32, N: i32, v: usize, c: usize): void {
  const bytes = <usize>N << 2;
  for (let i = 0; i < M; i++) memory.copy(c + <usize>i * bytes, v, bytes);
}

// out[N] = Σ_m A[m, :] ⊙ C[m, :] (peephole gradients: dp = Σ_{t,b} dz̄ ⊙ c).
export function colsumMul(M: i32, N: i32, a: usize, lda: i32, c: usize, ldc: i32, out: usize): void {
  memory.fill(out, 0, <usize>N << 2);
  for (let m = 0; m < M; m++) {
    const pa = a + ((<usize>m * <usize>lda) << 2);
    const pc = c + ((<usize>m * <usize>ldc) << 2);
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, f32x4.add(v128.load(out + o), f32x4.mul(v128.load(pa + o), v128.load(pc + o))));
    }
    for (; j < N; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, load<f32>(out + o) + load<f32>(pa + o) * load<f32>(pc + o));
    }
  }
}

// The weight and input gradients of z = x K + h R + b over TB rows, from dz [TB, G]: dK = xᵀ dz,
// dR = hᵀ dz (h [TB, Hr]: a sequence's h_0 .. h_{T−1}), db = Σ dz, dx = dz Kᵀ.
export function denseGrads(TB: i32, X: i32, Hr: i32, G: i32, x: usize, h: usize, dz: usize, KT: usize, dK: usize, dR: usize, db: usize, dx: usize): void {
  gemmTN(TB, X, G, x, X, dz, G, dK, G, 0);
  gemmTN(TB, Hr, G, h, Hr, dz, G, dR, G, 0);
  colsum(TB, G, dz, G, db, 0);
  gemm(TB, X, G, dz, G, KT, X, dx, X, 0);
}
