// rxrnn kernels (AssemblyScript): GEMM.
//
// GEMM: C[M,N] (+)= A[M,K] · B[K,N]. Register tile 4×8 (8 accumulators); K blocked by KC and M by
// MCB; each B panel (KC×8) packed contiguously so it stays in L1 across the row tiles. M < 4 uses a
// row-streaming kernel that reads B once per row, sequentially (the batch-1 case is memory-bound).
// Every path gives each entry of C the same arithmetic, whatever M: c ← madd(a_k, b_kj, c) for
// k = 0 .. K−1, starting from C (or 0); columns j < 4⌊N/4⌋ in vector lanes (madd), the others in
// scalar code (c + a·b, rounded twice, like the 128-bit build's madd). So a row's result never
// depends on the other rows of its batch: batching a stream changes none of its outputs.

const KC: i32 = 256;

// ---------------------------------------------------------------------------------------------
// Multiply-add for the GEMMs. Built twice (scripts/build-wasm.ts): kernels.wasm with 128-bit SIMD
// only, where c + a·b is a multiply then an add, and kernels-relaxed.wasm with relaxed SIMD, where it
// is f32x4.relaxed_madd (one fused multiply-add on CPUs that have FMA, so rounded once instead of twice).

// c + a·b
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// (x + a0·b0) + a1·b1: two multiply-adds in order, as madd twice
// @ts-ignore: decorator
@inline function madd2(a0: v128, b0: v128, a1: v128, b1: v128, x: v128): v128 {
  return madd(a1, b1, madd(a0, b0, x));
}

function zeroRows(M: i32, N: i32, c: usize, ldc: i32): void {
  for (let i = 0; i < M; i++) memory.fill(c + ((<usize>i * <usize>ldc) << 2), 0, <usize>N << 2);
}

// 4 rows × 8 columns of C over kc steps. pa: 4 rows of A packed k-major ([kc][4]); pb: a packed
// B panel ([kc][8]).
// @ts-ignore: decorator
@inline function tile4x8(kc: i32, pa: usize, pb: usize, pc: usize, ldc: i32): void {
  const sc = <usize>ldc << 2;
  const pc1 = pc + sc;
  const pc2 = pc1 + sc;
  const pc3 = pc2 + sc;
  let c00 = v128.load(pc), c01 = v128.load(pc, 16);
  let c10 = v128.load(pc1), c11 = v128.load(pc1, 16);
  let c20 = v128.load(pc2), c21 = v128.load(pc2, 16);
  let c30 = v128.load(pc3), c31 = v128.load(pc3, 16);
  let a = pa;
  let b = pb;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let av = v128.load32_splat(a);
    c00 = madd(av, b0, c00);
    c01 = madd(av, b1, c01);
    av = v128.load32_splat(a, 4);
    c10 = madd(av, b0, c10);
    c11 = madd(av, b1, c11);
    av = v128.load32_splat(a, 8);
    c20 = madd(av, b0, c20);
    c21 = madd(av, b1, c21);
    av = v128.load32_splat(a, 12);
    c30 = madd(av, b0, c30);
    c31 = madd(av, b1, c31);
    a += 16;
    b += 32;
  }
  v128.store(pc, c00);
  v128.store(pc, c01, 16);
  v128.store(pc1, c10);
  v128.store(pc1, c11, 16);
  v128.store(pc2, c20);
  v128.store(pc2, c21, 16);
  v128.store(pc3, c30);
  v128.store(pc3, c31, 16);
}

// One row of C, columns [0, n) with n ≤ 8, over kc steps (edges of the tiled path).
function edgeRow(kc: i32, n: i32, pa: usize, pb: usize, ldb: i32, pc: usize): void {
  const sb = <usize>ldb << 2;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    let acc = v128.load(pc + (<usize>j << 2));
    let b = pb + (<usize>j << 2);
    for (let k = 0; k < kc; k++) {
      acc = madd(v128.load32_splat(pa + (<usize>k << 2)), v128.load(b), acc);
      b += sb;
    }
    v128.store(pc + (<usize>j << 2), acc);
  }
  for (; j < n; j++) {
    let acc = load<f32>(pc + (<usize>j << 2));
    let b = pb + (<usize>j << 2);
    for (let k = 0; k < kc; k++) {
      acc += load<f32>(pa + (<usize>k << 2)) * load<f32>(b);
      b += sb;
    }
    store<f32>(pc + (<usize>j << 2), acc);
  }
}

// C row += a row · B, streaming B row by row (4 rows of B per pass over the C row).
function gemvRow(N: i32, K: i32, pa: usize, b: usize, ldb: i32, pc: usize): void {
  const sb = <usize>ldb << 2;
  let k = 0;
  for (; k + 4 <= K; k += 4) {
    const a0 = v128.load32_splat(pa + (<usize>k << 2));
    const a1 = v128.load32_splat(pa + (<usize>k << 2) + 4);
    const a2 = v128.load32_splat(pa + (<usize>k << 2) + 8);
    const a3 = v128.load32_splat(pa + (<usize>k << 2) + 12);
    const b0 = b + <usize>k * sb;
    const b1 = b0 + sb;
    const b2 = b1 + sb;
    const b3 = b2 + sb;
    let j = 0;
    for (; j + 8 <= N; j += 8) {
      const o = <usize>j << 2;
      let x0 = v128.load(pc + o);
      let x1 = v128.load(pc + o, 16);
      x0 = madd2(a0, v128.load(b0 + o), a1, v128.load(b1 + o), x0);
      x1 = madd2(a0, v128.load(b0 + o, 16), a1, v128.load(b1 + o, 16), x1);
      x0 = madd2(a2, v128.load(b2 + o), a3, v128.load(b3 + o), x0);
      x1 = madd2(a2, v128.load(b2 + o, 16), a3, v128.load(b3 + o, 16), x1);
      v128.store(pc + o, x0);
      v128.store(pc + o, x1, 16);
    }
    for (; j + 4 <= N; j += 4) {
      const o = <usize>j << 2;
      let x0 = v128.load(pc + o);
      x0 = madd2(a0, v128.load(b0 + o), a1, v128.load(b1 + o), x0);
      x0 = madd2(a2, v128.load(b2 + o), a3, v128.load(b3 + o), x0);
      v128.store(pc + o, x0);
    }
    for (; j < N; j++) {
      const o = <usize>j << 2;
      let acc = load<f32>(pc + o);
      acc += f32x4.extract_lane(a0, 0) * load<f32>(b0 + o);
      acc += f32x4.extract_lane(a1, 0) * load<f32>(b1 + o);
      acc += f32x4.extract_lane(a2, 0) * load<f32>(b2 + o);
      acc += f32x4.extract_lane(a3, 0) * load<f32>(b3 + o);
      store<f32>(pc + o, acc);
    }
  }
  for (; k < K; k++) {
    const a0 = v128.load32_splat(pa + (<usize>k << 2));
    const b0 = b + <usize>k * sb;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const o = <usize>j << 2;
      v128.store(pc + o, madd(a0, v128.load(b0 + o), v128.load(pc + o)));
    }
    for (; j < N; j++) {
      const o = <usize>j << 2;
      store<f32>(pc + o, load<f32>(pc + o) + f32x4.extract_lane(a0, 0) * load<f32>(b0 + o));
    }
  }
}

// Static packing buffers: one B panel (KC×8, contiguous, so the tile reads it sequentially and
// without cache-set aliasing whatever ldb is), and a transposed block of A for gemmTN.
const MCB: i32 = 256;
const PACK_B: usize = memory.data(KC * 8 * 4, 64);
const PACK_A: usize = memory.data(MCB * KC * 4, 64);
const AT_FLOATS: i32 = 65536;
const PACK_AT: usize = memory.data(AT_FLOATS * 4, 64);

/** C[M,N] = (accumulate ? C : 0) + A[M,K]·B[K,N]. */
export function gemm(M: i32, N: i32, K: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32): void {
  if (accumulate == 0) zeroRows(M, N, c, ldc);
  if (M < 4) {
    for (let i = 0; i < M; i++) gemvRow(N, K, a + ((<usize>i * <usize>lda) << 2), b, ldb, c + ((<usize>i * <usize>ldc) << 2));
    return;
  }
  const sb = <usize>ldb << 2;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    for (let i0 = 0; i0 < M; i0 += MCB) {
      const i1 = min(M, i0 + MCB);
      const i4 = i0 + ((i1 - i0) & ~3); // rows [i0, i4) in 4-row groups, packed
      // pack A[i0 .. i4, k0 .. k0+kc] into PACK_A: group g at g·kc·4, element (r, k) at k·4 + r
      for (let g = i0; g < i4; g += 4) {
        const dst = PACK_A + (<usize>((g - i0) * kc) << 2);
        const src = a + ((<usize>g * <usize>lda + <usize>k0) << 2);
        const sa = <usize>lda << 2;
        for (let k = 0; k < kc; k++) {
          const o = <usize>k << 2;
          const d = dst + (o << 2);
          store<f32>(d, load<f32>(src + o));
          store<f32>(d, load<f32>(src + sa + o), 4);
          store<f32>(d, load<f32>(src + 2 * sa + o), 8);
          store<f32>(d, load<f32>(src + 3 * sa + o), 12);
        }
      }
      let j = 0;
      for (; j + 8 <= N; j += 8) {
        // pack B[k0 .. k0+kc, j .. j+8] into PACK_B (kc × 8)
        let src = b + ((<usize>k0 * <usize>ldb + <usize>j) << 2);
        let dst = PACK_B;
        for (let k = 0; k < kc; k++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          src += sb;
          dst += 32;
        }
        for (let i = i0; i < i4; i += 4) {
          tile4x8(kc, PACK_A + (<usize>((i - i0) * kc) << 2), PACK_B, c + ((<usize>i * <usize>ldc + <usize>j) << 2), ldc);
        }
        for (let i = i4; i < i1; i++) edgeRow(kc, 8, a + ((<usize>i * <usize>lda + <usize>k0) << 2), PACK_B, 8, c + ((<usize>i * <usize>ldc + <usize>j) << 2));
      }
      if (j < N) {
        const pb = b + ((<usize>k0 * <usize>ldb + <usize>j) << 2);
        for (let i = i0; i < i1; i++) edgeRow(kc, N - j, a + ((<usize>i * <usize>lda + <usize>k0) << 2), pb, ldb, c + ((<usize>i * <usize>ldc + <usize>j) << 2));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// GEMM with A transposed: C[K,N] (+)= A[M,K]ᵀ · B[M,N] (weight gradients: dW = Xᵀ·dZ), as
// blocks of rows of A transposed into PACK_AT and multiplied with gemm.

export function gemmTN(M: i32, K: i32, N: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32): void {
  if (accumulate == 0) zeroRows(K, N, c, ldc);
  if (K > AT_FLOATS) {
    // (sizes beyond any recurrent layer we run: a plain loop)
    for (let m = 0; m < M; m++) gemm(K, N, 1, a + ((<usize>m * <usize>lda) << 2), 1, b + ((<usize>m * <usize>ldb) << 2), ldb, c, ldc, 1);
    return;
  }
  const mc = max(1, min(M, AT_FLOATS / K));
  for (let m0 = 0; m0 < M; m0 += mc) {
    const m1 = min(M, m0 + mc);
    const rows = m1 - m0;
    transposeInto(rows, K, a + ((<usize>m0 * <usize>lda) << 2), lda, PACK_AT, rows);
    gemm(K, N, rows, PACK_AT, rows, b + ((<usize>m0 * <usize>ldb) << 2), ldb, c, ldc, 1);
  }
}

// dst[C, R] (ld ldd) = src[R, C]ᵀ (ld lds), in 8×8 blocks.
export function transposeInto(R: i32, C: i32, src: usize, lds: i32, dst: usize, ldd: i32): void {
  for (let i0 = 0; i0 < R; i0 += 8) {
    const i1 = min(R, i0 + 8);
    for (let j0 = 0; j0 < C; j0 += 8) {
      const j1 = min(C, j0 + 8);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) store<f32>(dst + ((<usize>j * <usize>ldd + <usize>i) << 2), load<f32>(src + ((<usize>i * <usize>lds + <usize>j) << 2)));
      }
    }
  }
}
