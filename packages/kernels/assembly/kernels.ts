// rxrnn fused recurrent kernels, AssemblyScript → WebAssembly (128-bit SIMD).
//
// Built by packages/kernels/scripts/build-wasm.ts into packages/kernels/wasm/kernels.wasm (committed;
// a test rebuilds it and compares bytes). No runtime, no allocator: the host (src/wasm/runtime.ts)
// owns the linear memory and passes byte addresses; every matrix is row-major float32 with an
// explicit leading dimension (ld*, in elements).
//
// Layouts follow @rxrnn/cells: kernel [X, G·H], recurrentKernel [H, G·H], bias [G·H], gate order
// LSTM i, f, g, o (G = 4), GRU r, z, n (G = 3). A sequence's states live in one buffer
// hs [(T+1)·B, H] whose block 0 is h0, so the inputs of the recurrent matmuls of all steps,
// hs[0 .. T·B), are one contiguous matrix for the weight gradient.

// ---------------------------------------------------------------------------------------------
// Vectorised exp / sigmoid / tanh (Cephes expf: range reduction by ln 2 and a degree-5
// polynomial; relative error ~2 ulp on the clamped range).

// @ts-ignore: decorator
@inline function vexp(x0: v128): v128 {
  const x = f32x4.max(f32x4.min(x0, f32x4.splat(88.0)), f32x4.splat(-87.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  const r2 = f32x4.mul(r, r);
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), f32x4.splat(1.0));
  const e = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, e);
}

// @ts-ignore: decorator
@inline function vsigmoid(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, vexp(f32x4.neg(x))));
}

// tanh x = sign(x)·(1 − e^{−2|x|}) / (1 + e^{−2|x|})
// @ts-ignore: decorator
@inline function vtanh(x: v128): v128 {
  const one = f32x4.splat(1.0);
  const t = vexp(f32x4.mul(f32x4.abs(x), f32x4.splat(-2.0)));
  const y = f32x4.div(f32x4.sub(one, t), f32x4.add(one, t));
  return v128.or(y, v128.and(x, i32x4.splat(0x80000000)));
}

// Scalar forms for the tails (same arithmetic as the vector lanes).
function ssigmoid(x: f32): f32 {
  return f32x4.extract_lane(vsigmoid(f32x4.splat(x)), 0);
}
function stanh(x: f32): f32 {
  return f32x4.extract_lane(vtanh(f32x4.splat(x)), 0);
}

// y[i] = act(x[i]) for the benchmarks and tests of the approximations. act: 0 sigmoid, 1 tanh, 2 exp.
export function activate(n: i32, x: usize, y: usize, act: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    v128.store(y + (<usize>i << 2), act == 0 ? vsigmoid(v) : act == 1 ? vtanh(v) : vexp(v));
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), act == 0 ? ssigmoid(v) : act == 1 ? stanh(v) : f32x4.extract_lane(vexp(f32x4.splat(v)), 0));
  }
}

// ---------------------------------------------------------------------------------------------
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
function transposeInto(R: i32, C: i32, src: usize, lds: i32, dst: usize, ldd: i32): void {
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

/** dst[C, R] = src[R, C]ᵀ (dense), in 8×8 blocks. */
export function transpose(R: i32, C: i32, src: usize, dst: usize): void {
  for (let i0 = 0; i0 < R; i0 += 8) {
    const i1 = min(R, i0 + 8);
    for (let j0 = 0; j0 < C; j0 += 8) {
      const j1 = min(C, j0 + 8);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) store<f32>(dst + ((<usize>j * <usize>R + <usize>i) << 2), load<f32>(src + ((<usize>i * <usize>C + <usize>j) << 2)));
      }
    }
  }
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
function broadcastRows(M: i32, N: i32, v: usize, c: usize): void {
  const bytes = <usize>N << 2;
  for (let i = 0; i < M; i++) memory.copy(c + <usize>i * bytes, v, bytes);
}

// ---------------------------------------------------------------------------------------------
// LSTM (gate order i, f, g, o):  z = x K + h R + b;  c' = σ(f)⊙c + σ(i)⊙tanh(g);  h' = σ(o)⊙tanh(c').

// Pointwise part of one step for B rows. z [B, 4H] is overwritten with the activated gates.
function lstmCellFw(B: i32, H: i32, z: usize, cp: usize, cn: usize, hn: usize, tc: usize): void {
  const hb = <usize>H << 2;
  for (let r = 0; r < B; r++) {
    const zr = z + <usize>r * 4 * hb;
    const cpr = cp + <usize>r * hb;
    const cnr = cn + <usize>r * hb;
    const hnr = hn + <usize>r * hb;
    const tcr = tc + <usize>r * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const i = vsigmoid(v128.load(zr + o));
      const f = vsigmoid(v128.load(zr + hb + o));
      const g = vtanh(v128.load(zr + 2 * hb + o));
      const og = vsigmoid(v128.load(zr + 3 * hb + o));
      v128.store(zr + o, i);
      v128.store(zr + hb + o, f);
      v128.store(zr + 2 * hb + o, g);
      v128.store(zr + 3 * hb + o, og);
      const c = f32x4.add(f32x4.mul(f, v128.load(cpr + o)), f32x4.mul(i, g));
      const t = vtanh(c);
      v128.store(cnr + o, c);
      v128.store(hnr + o, f32x4.mul(og, t));
      if (tc != 0) v128.store(tcr + o, t);
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const i = ssigmoid(load<f32>(zr + o));
      const f = ssigmoid(load<f32>(zr + hb + o));
      const g = stanh(load<f32>(zr + 2 * hb + o));
      const og = ssigmoid(load<f32>(zr + 3 * hb + o));
      store<f32>(zr + o, i);
      store<f32>(zr + hb + o, f);
      store<f32>(zr + 2 * hb + o, g);
      store<f32>(zr + 3 * hb + o, og);
      const c = f * load<f32>(cpr + o) + i * g;
      const t = stanh(c);
      store<f32>(cnr + o, c);
      store<f32>(hnr + o, og * t);
      if (tc != 0) store<f32>(tcr + o, t);
    }
  }
}

/**
 * LSTM forward over T steps. x [T·B, X]; hs [(T+1)·B, R] and cs [(T+1)·B, H] with h0, c0 in block 0
 * (outputs in blocks 1..T), R = P with a projection Pm [H, P] (LSTMP, Sak et al. 2014:
 * h_t = (o ⊙ tanh c_t) Pm), else R = H (pass Pm = 0). gates [T·B, 4H] receives the activated gates;
 * tanhc [T·B, H] receives tanh(c_t) (pass 0 when no backward will follow); with a projection
 * hfull [T·B, H] receives o ⊙ tanh(c_t).
 */
export function lstmForward(T: i32, B: i32, X: i32, H: i32, P: i32, x: usize, K: usize, R: usize, bias: usize, Pm: usize, hs: usize, cs: usize, gates: usize, tanhc: usize, hfull: usize): void {
  const G = 4 * H;
  const TB = T * B;
  const Rh = Pm != 0 ? P : H;
  broadcastRows(TB, G, bias, gates);
  gemm(TB, G, X, x, X, K, G, gates, G, 1); // all input projections at once
  const sz = (<usize>B * <usize>G) << 2;
  const sh = (<usize>B * <usize>H) << 2;
  const sr = (<usize>B * <usize>Rh) << 2;
  for (let t = 0; t < T; t++) {
    const z = gates + <usize>t * sz;
    gemm(B, G, Rh, hs + <usize>t * sr, Rh, R, G, z, G, 1);
    const hout = Pm != 0 ? hfull + <usize>t * sh : hs + <usize>(t + 1) * sr;
    lstmCellFw(B, H, z, cs + <usize>t * sh, cs + <usize>(t + 1) * sh, hout, tanhc == 0 ? 0 : tanhc + <usize>t * sh);
    if (Pm != 0) gemm(B, P, H, hout, H, Pm, P, hs + <usize>(t + 1) * sr, P, 0);
  }
}

// dz from (dh, dc) at one step; dc becomes dc_{t−1}.
function lstmCellBw(B: i32, H: i32, gates: usize, cp: usize, tc: usize, dh: usize, dc: usize, dz: usize): void {
  const hb = <usize>H << 2;
  const one = f32x4.splat(1.0);
  for (let r = 0; r < B; r++) {
    const gr = gates + <usize>r * 4 * hb;
    const dzr = dz + <usize>r * 4 * hb;
    const cpr = cp + <usize>r * hb;
    const tcr = tc + <usize>r * hb;
    const dhr = dh + <usize>r * hb;
    const dcr = dc + <usize>r * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const i = v128.load(gr + o);
      const f = v128.load(gr + hb + o);
      const g = v128.load(gr + 2 * hb + o);
      const og = v128.load(gr + 3 * hb + o);
      const t = v128.load(tcr + o);
      const dhv = v128.load(dhr + o);
      const dcc = f32x4.add(v128.load(dcr + o), f32x4.mul(f32x4.mul(dhv, og), f32x4.sub(one, f32x4.mul(t, t))));
      v128.store(dzr + o, f32x4.mul(f32x4.mul(dcc, g), f32x4.mul(i, f32x4.sub(one, i))));
      v128.store(dzr + hb + o, f32x4.mul(f32x4.mul(dcc, v128.load(cpr + o)), f32x4.mul(f, f32x4.sub(one, f))));
      v128.store(dzr + 2 * hb + o, f32x4.mul(f32x4.mul(dcc, i), f32x4.sub(one, f32x4.mul(g, g))));
      v128.store(dzr + 3 * hb + o, f32x4.mul(f32x4.mul(dhv, t), f32x4.mul(og, f32x4.sub(one, og))));
      v128.store(dcr + o, f32x4.mul(dcc, f));
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const i = load<f32>(gr + o);
      const f = load<f32>(gr + hb + o);
      const g = load<f32>(gr + 2 * hb + o);
      const og = load<f32>(gr + 3 * hb + o);
      const t = load<f32>(tcr + o);
      const dhv = load<f32>(dhr + o);
      const dcc = load<f32>(dcr + o) + dhv * og * (1 - t * t);
      store<f32>(dzr + o, dcc * g * (i * (1 - i)));
      store<f32>(dzr + hb + o, dcc * load<f32>(cpr + o) * (f * (1 - f)));
      store<f32>(dzr + 2 * hb + o, dcc * i * (1 - g * g));
      store<f32>(dzr + 3 * hb + o, dhv * t * (og * (1 - og)));
      store<f32>(dcr + o, dcc * f);
    }
  }
}

/**
 * LSTM backward through T steps (after lstmForward with tanhc). dys [T·B, R] are the gradients of
 * the outputs h_1..h_T (the gradient of h_T included); dcT [B, H]. KT [4H, X], RT [4H, R] and
 * PmT [P, H] are the transposed weights. Scratch: dz [T·B, 4H]; with a projection dhfull [B, H] and
 * dhs [T·B, P]. Writes dh [B, R] / dc [B, H] (ending as dh0, dc0), dx [T·B, X], dK [X, 4H],
 * dR [R, 4H], db [4H], dPm [H, P].
 */
export function lstmBackward(T: i32, B: i32, X: i32, H: i32, P: i32, x: usize, KT: usize, RT: usize, PmT: usize, hs: usize, cs: usize, gates: usize, tanhc: usize, hfull: usize, dys: usize, dcT: usize, dz: usize, dh: usize, dc: usize, dhfull: usize, dhs: usize, dx: usize, dK: usize, dR: usize, db: usize, dPm: usize): void {
  const G = 4 * H;
  const TB = T * B;
  const Rh = PmT != 0 ? P : H;
  const sz = (<usize>B * <usize>G) << 2;
  const sh = (<usize>B * <usize>H) << 2;
  const sr = (<usize>B * <usize>Rh) << 2;
  memory.copy(dc, dcT, sh);
  memory.copy(dh, dys + <usize>(T - 1) * sr, sr);
  for (let t = T - 1; t >= 0; t--) {
    const dzt = dz + <usize>t * sz;
    let dhf = dh;
    if (PmT != 0) {
      memory.copy(dhs + <usize>t * sr, dh, sr); // total gradient of h_t, for dPm
      gemm(B, H, P, dh, P, PmT, H, dhfull, H, 0); // through the projection
      dhf = dhfull;
    }
    lstmCellBw(B, H, gates + <usize>t * sz, cs + <usize>t * sh, tanhc + <usize>t * sh, dhf, dc, dzt);
    if (t > 0) memory.copy(dh, dys + <usize>(t - 1) * sr, sr);
    else memory.fill(dh, 0, sr);
    gemm(B, Rh, G, dzt, G, RT, Rh, dh, Rh, 1);
  }
  gemmTN(TB, X, G, x, X, dz, G, dK, G, 0);
  gemmTN(TB, Rh, G, hs, Rh, dz, G, dR, G, 0);
  colsum(TB, G, dz, G, db, 0);
  gemm(TB, X, G, dz, G, KT, X, dx, X, 0);
  if (PmT != 0) gemmTN(TB, H, P, hfull, H, dhs, P, dPm, P, 0);
}

// ---------------------------------------------------------------------------------------------
// Peephole / CIFG LSTM (Greff et al. 2017 §II, "vanilla", and its variants NP and CIFG), row-vector
// layout. Blocks of z = x K + h R + b: i, f, g, o (G = 4H), or with `coupled` (CIFG) i, g, o (G = 3H):
//
//     i = σ(z_i + p_i ⊙ c_{t−1})                      input gate
//     f = σ(z_f + p_f ⊙ c_{t−1})   or   f = 1 − i      forget gate (coupled: CIFG)
//     g = tanh(z_g)                                   block input (Greff's z)
//     c_t = f ⊙ c_{t−1} + i ⊙ g                       cell
//     o = σ(z_o + p_o ⊙ c_t)                          output gate (peephole on the NEW cell)
//     h_t = o ⊙ tanh(c_t)                             block output (Greff's y)
//
// Peepholes pi, pf, po [H] are on when pi ≠ 0 (then po too, and pf unless coupled); NP passes 0.
// gates [T·B, G] receives the activated i, (f,) g, o; f = 1 − i is not stored when coupled.

// Pointwise part of one step for B rows; z [B, G] is overwritten with the activated gates.
function lstmvCellFw(B: i32, H: i32, coupled: i32, z: usize, pi: usize, pf: usize, po: usize, cp: usize, cn: usize, hn: usize, tc: usize): void {
  const hb = <usize>H << 2;
  const nb: usize = coupled != 0 ? 3 : 4;
  const gOff = (nb - 2) * hb; // block g: 2H (i, f, g, o) or H (i, g, o)
  const oOff = (nb - 1) * hb;
  const one = f32x4.splat(1.0);
  for (let r = 0; r < B; r++) {
    const zr = z + <usize>r * nb * hb;
    const cpr = cp + <usize>r * hb;
    const cnr = cn + <usize>r * hb;
    const hnr = hn + <usize>r * hb;
    const tcr = tc + <usize>r * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const cpv = v128.load(cpr + o);
      let zi = v128.load(zr + o);
      if (pi != 0) zi = f32x4.add(zi, f32x4.mul(cpv, v128.load(pi + o))); // ī = z_i + p_i ⊙ c_{t−1}
      const i = vsigmoid(zi);
      let f: v128;
      if (coupled != 0) {
        f = f32x4.sub(one, i); // CIFG: f = 1 − i
      } else {
        let zf = v128.load(zr + hb + o);
        if (pi != 0) zf = f32x4.add(zf, f32x4.mul(cpv, v128.load(pf + o))); // f̄ = z_f + p_f ⊙ c_{t−1}
        f = vsigmoid(zf);
        v128.store(zr + hb + o, f);
      }
      const g = vtanh(v128.load(zr + gOff + o));
      const c = f32x4.add(f32x4.mul(f, cpv), f32x4.mul(i, g)); // c_t = f ⊙ c_{t−1} + i ⊙ g
      let zo = v128.load(zr + oOff + o);
      if (pi != 0) zo = f32x4.add(zo, f32x4.mul(c, v128.load(po + o))); // ō = z_o + p_o ⊙ c_t
      const og = vsigmoid(zo);
      const t = vtanh(c);
      v128.store(zr + o, i);
      v128.store(zr + gOff + o, g);
      v128.store(zr + oOff + o, og);
      v128.store(cnr + o, c);
      v128.store(hnr + o, f32x4.mul(og, t)); // h_t = o ⊙ tanh(c_t)
      if (tc != 0) v128.store(tcr + o, t);
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const cpv = load<f32>(cpr + o);
      let zi = load<f32>(zr + o);
      if (pi != 0) zi += cpv * load<f32>(pi + o);
      const i = ssigmoid(zi);
      let f: f32;
      if (coupled != 0) {
        f = 1 - i;
      } else {
        let zf = load<f32>(zr + hb + o);
        if (pi != 0) zf += cpv * load<f32>(pf + o);
        f = ssigmoid(zf);
        store<f32>(zr + hb + o, f);
      }
      const g = stanh(load<f32>(zr + gOff + o));
      const c = f * cpv + i * g;
      let zo = load<f32>(zr + oOff + o);
      if (pi != 0) zo += c * load<f32>(po + o);
      const og = ssigmoid(zo);
      const t = stanh(c);
      store<f32>(zr + o, i);
      store<f32>(zr + gOff + o, g);
      store<f32>(zr + oOff + o, og);
      store<f32>(cnr + o, c);
      store<f32>(hnr + o, og * t);
      if (tc != 0) store<f32>(tcr + o, t);
    }
  }
}

/**
 * Peephole / CIFG LSTM forward over T steps. x [T·B, X]; K [X, G], R [H, G], bias [G] (G = 4H, or
 * 3H with `coupled`); pi, pf, po [H] (0: no peepholes); hs, cs [(T+1)·B, H] with h0, c0 in block 0
 * (outputs in blocks 1..T); gates [T·B, G] receives the activated gates; tanhc [T·B, H] receives
 * tanh(c_t) (pass 0 when no backward will follow).
 */
export function lstmvForward(T: i32, B: i32, X: i32, H: i32, coupled: i32, x: usize, K: usize, R: usize, bias: usize, pi: usize, pf: usize, po: usize, hs: usize, cs: usize, gates: usize, tanhc: usize): void {
  const G = (coupled != 0 ? 3 : 4) * H;
  const TB = T * B;
  broadcastRows(TB, G, bias, gates);
  gemm(TB, G, X, x, X, K, G, gates, G, 1); // all input projections at once: [T·B, G]
  const sz = (<usize>B * <usize>G) << 2;
  const sh = (<usize>B * <usize>H) << 2;
  for (let t = 0; t < T; t++) {
    const z = gates + <usize>t * sz;
    gemm(B, G, H, hs + <usize>t * sh, H, R, G, z, G, 1); // + h_{t−1} R
    lstmvCellFw(B, H, coupled, z, pi, pf, po, cs + <usize>t * sh, cs + <usize>(t + 1) * sh, hs + <usize>(t + 1) * sh, tanhc == 0 ? 0 : tanhc + <usize>t * sh);
  }
}

// dz [B, G] from (dh, dc) at one step; dc becomes dc_{t−1} (through f and the peepholes p_i, p_f).
function lstmvCellBw(B: i32, H: i32, coupled: i32, gates: usize, pi: usize, pf: usize, po: usize, cp: usize, tc: usize, dh: usize, dc: usize, dz: usize): void {
  const hb = <usize>H << 2;
  const nb: usize = coupled != 0 ? 3 : 4;
  const gOff = (nb - 2) * hb;
  const oOff = (nb - 1) * hb;
  const one = f32x4.splat(1.0);
  for (let r = 0; r < B; r++) {
    const gr = gates + <usize>r * nb * hb;
    const dzr = dz + <usize>r * nb * hb;
    const cpr = cp + <usize>r * hb;
    const tcr = tc + <usize>r * hb;
    const dhr = dh + <usize>r * hb;
    const dcr = dc + <usize>r * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      const i = v128.load(gr + o);
      const g = v128.load(gr + gOff + o);
      const og = v128.load(gr + oOff + o);
      const t = v128.load(tcr + o);
      const cpv = v128.load(cpr + o);
      const dhv = v128.load(dhr + o);
      const dzo = f32x4.mul(f32x4.mul(dhv, t), f32x4.mul(og, f32x4.sub(one, og))); // dō
      let dcc = f32x4.add(v128.load(dcr + o), f32x4.mul(f32x4.mul(dhv, og), f32x4.sub(one, f32x4.mul(t, t)))); // dc_t
      if (pi != 0) dcc = f32x4.add(dcc, f32x4.mul(dzo, v128.load(po + o))); // + dō ⊙ p_o
      v128.store(dzr + gOff + o, f32x4.mul(f32x4.mul(dcc, i), f32x4.sub(one, f32x4.mul(g, g)))); // dḡ
      v128.store(dzr + oOff + o, dzo);
      let dcp: v128;
      if (coupled != 0) {
        // f = 1 − i: ∂c/∂i = g − c_{t−1}
        const dzi = f32x4.mul(f32x4.mul(dcc, f32x4.sub(g, cpv)), f32x4.mul(i, f32x4.sub(one, i)));
        v128.store(dzr + o, dzi);
        dcp = f32x4.mul(dcc, f32x4.sub(one, i));
        if (pi != 0) dcp = f32x4.add(dcp, f32x4.mul(dzi, v128.load(pi + o)));
      } else {
        const f = v128.load(gr + hb + o);
        const dzi = f32x4.mul(f32x4.mul(dcc, g), f32x4.mul(i, f32x4.sub(one, i)));
        const dzf = f32x4.mul(f32x4.mul(dcc, cpv), f32x4.mul(f, f32x4.sub(one, f)));
        v128.store(dzr + o, dzi);
        v128.store(dzr + hb + o, dzf);
        dcp = f32x4.mul(dcc, f);
        if (pi != 0) dcp = f32x4.add(dcp, f32x4.add(f32x4.mul(dzi, v128.load(pi + o)), f32x4.mul(dzf, v128.load(pf + o))));
      }
      v128.store(dcr + o, dcp); // dc_{t−1}
    }
    for (; j < H; j++) {
      const o = <usize>j << 2;
      const i = load<f32>(gr + o);
      const g = load<f32>(gr + gOff + o);
      const og = load<f32>(gr + oOff + o);
      const t = load<f32>(tcr + o);
      const cpv = load<f32>(cpr + o);
      const dhv = load<f32>(dhr + o);
      const dzo = dhv * t * (og * (1 - og));
      let dcc = load<f32>(dcr + o) + dhv * og * (1 - t * t);
      if (pi != 0) dcc += dzo * load<f32>(po + o);
      store<f32>(dzr + gOff + o, dcc * i * (1 - g * g));
      store<f32>(dzr + oOff + o, dzo);
      let dcp: f32;
      if (coupled != 0) {
        const dzi = dcc * (g - cpv) * (i * (1 - i));
        store<f32>(dzr + o, dzi);
        dcp = dcc * (1 - i);
        if (pi != 0) dcp += dzi * load<f32>(pi + o);
      } else {
        const f = load<f32>(gr + hb + o);
        const dzi = dcc * g * (i * (1 - i));
        const dzf = dcc * cpv * (f * (1 - f));
        store<f32>(dzr + o, dzi);
        store<f32>(dzr + hb + o, dzf);
        dcp = dcc * f;
        if (pi != 0) dcp += dzi * load<f32>(pi + o) + dzf * load<f32>(pf + o);
      }
      store<f32>(dcr + o, dcp);
    }
  }
}

// out[N] = Σ_m A[m, :] ⊙ C[m, :] (peephole gradients: dp = Σ_{t,b} dz̄ ⊙ c).
function colsumMul(M: i32, N: i32, a: usize, lda: i32, c: usize, ldc: i32, out: usize): void {
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

/**
 * Peephole / CIFG LSTM backward through T steps (after lstmvForward with tanhc). dys [T·B, H]: the
 * gradients of h_1..h_T; dcT [B, H]. KT [G, X], RT [G, H]: the transposed weights. Scratch dz
 * [T·B, G]. Writes dh, dc [B, H] (ending as dh0, dc0), dx [T·B, X], dK [X, G], dR [H, G], db [G],
 * and with peepholes dpi, dpo (and dpf unless coupled) [H].
 */
export function lstmvBackward(T: i32, B: i32, X: i32, H: i32, coupled: i32, x: usize, KT: usize, RT: usize, pi: usize, pf: usize, po: usize, hs: usize, cs: usize, gates: usize, tanhc: usize, dys: usize, dcT: usize, dz: usize, dh: usize, dc: usize, dx: usize, dK: usize, dR: usize, db: usize, dpi: usize, dpf: usize, dpo: usize): void {
  const nb = coupled != 0 ? 3 : 4;
  const G = nb * H;
  const TB = T * B;
  const sz = (<usize>B * <usize>G) << 2;
  const sh = (<usize>B * <usize>H) << 2;
  memory.copy(dc, dcT, sh);
  memory.copy(dh, dys + <usize>(T - 1) * sh, sh);
  for (let t = T - 1; t >= 0; t--) {
    const dzt = dz + <usize>t * sz;
    lstmvCellBw(B, H, coupled, gates + <usize>t * sz, pi, pf, po, cs + <usize>t * sh, tanhc + <usize>t * sh, dh, dc, dzt);
    if (t > 0) memory.copy(dh, dys + <usize>(t - 1) * sh, sh);
    else memory.fill(dh, 0, sh);
    gemm(B, H, G, dzt, G, RT, H, dh, H, 1); // dh_{t−1} += dz̄_t Rᵀ
  }
  gemmTN(TB, X, G, x, X, dz, G, dK, G, 0); // dK = Xᵀ dZ
  gemmTN(TB, H, G, hs, H, dz, G, dR, G, 0); // dR = H_{0..T−1}ᵀ dZ
  colsum(TB, G, dz, G, db, 0);
  gemm(TB, X, G, dz, G, KT, X, dx, X, 0); // dX = dZ Kᵀ
  if (pi != 0) {
    const oCol = <usize>(nb - 1) * <usize>H << 2;
    colsumMul(TB, H, dz, G, cs, H, dpi); // dp_i = Σ dī ⊙ c_{t−1}
    if (coupled == 0) colsumMul(TB, H, dz + (<usize>H << 2), G, cs, H, dpf); // dp_f = Σ df̄ ⊙ c_{t−1}
    colsumMul(TB, H, dz + oCol, G, cs + sh, H, dpo); // dp_o = Σ dō ⊙ c_t
  }
}

// ---------------------------------------------------------------------------------------------
// GRU (gate order r, z, n). Reset-after:  n = tanh(x K_n + b_n + r ⊙ (h R_n + b'_n));
// reset-before:  n = tanh(x K_n + b_n + (r ⊙ h) R_n);  h' = (1 − z) ⊙ n + z ⊙ h.
// gates [T·B, 3H] receives r, z, n; aux [T·B, H] receives h R_n + b'_n (reset-after) or r ⊙ h
// (reset-before); hz [B, 3H] is scratch.

export function gruForward(T: i32, B: i32, X: i32, H: i32, x: usize, K: usize, R: usize, bias: usize, rbias: usize, resetAfter: i32, hs: usize, gates: usize, aux: usize, hz: usize): void {
  const G = 3 * H;
  const TB = T * B;
  broadcastRows(TB, G, bias, gates);
  gemm(TB, G, X, x, X, K, G, gates, G, 1);
  const hb = <usize>H << 2;
  const sz = (<usize>B * <usize>G) << 2;
  const sh = (<usize>B * <usize>H) << 2;
  const one = f32x4.splat(1.0);
  for (let t = 0; t < T; t++) {
    const z = gates + <usize>t * sz;
    const hp = hs + <usize>t * sh;
    const hn = hs + <usize>(t + 1) * sh;
    const ax = aux + <usize>t * sh;
    if (resetAfter != 0) {
      if (rbias != 0) broadcastRows(B, G, rbias, hz);
      gemm(B, G, H, hp, H, R, G, hz, G, rbias != 0 ? 1 : 0);
    } else {
      gemm(B, 2 * H, H, hp, H, R, G, hz, G, 0);
    }
    // r, z (and for reset-after, n and h')
    for (let r = 0; r < B; r++) {
      const zr = z + <usize>r * 3 * hb;
      const hzr = hz + <usize>r * 3 * hb;
      const hpr = hp + <usize>r * hb;
      const hnr = hn + <usize>r * hb;
      const axr = ax + <usize>r * hb;
      let j = 0;
      for (; j + 4 <= H; j += 4) {
        const o = <usize>j << 2;
        const rg = vsigmoid(f32x4.add(v128.load(zr + o), v128.load(hzr + o)));
        const ug = vsigmoid(f32x4.add(v128.load(zr + hb + o), v128.load(hzr + hb + o)));
        v128.store(zr + o, rg);
        v128.store(zr + hb + o, ug);
        if (resetAfter != 0) {
          const hnv = v128.load(hzr + 2 * hb + o);
          const n = vtanh(f32x4.add(v128.load(zr + 2 * hb + o), f32x4.mul(rg, hnv)));
          v128.store(zr + 2 * hb + o, n);
          v128.store(axr + o, hnv);
          const h = v128.load(hpr + o);
          v128.store(hnr + o, f32x4.add(f32x4.mul(f32x4.sub(one, ug), n), f32x4.mul(ug, h)));
        } else {
          v128.store(axr + o, f32x4.mul(rg, v128.load(hpr + o)));
        }
      }
      for (; j < H; j++) {
        const o = <usize>j << 2;
        const rg = ssigmoid(load<f32>(zr + o) + load<f32>(hzr + o));
        const ug = ssigmoid(load<f32>(zr + hb + o) + load<f32>(hzr + hb + o));
        store<f32>(zr + o, rg);
        store<f32>(zr + hb + o, ug);
        if (resetAfter != 0) {
          const hnv = load<f32>(hzr + 2 * hb + o);
          const n = stanh(load<f32>(zr + 2 * hb + o) + rg * hnv);
          store<f32>(zr + 2 * hb + o, n);
          store<f32>(axr + o, hnv);
          store<f32>(hnr + o, (1 - ug) * n + ug * load<f32>(hpr + o));
        } else {
          store<f32>(axr + o, rg * load<f32>(hpr + o));
        }
      }
    }
    if (resetAfter == 0) {
      // hn = (r ⊙ h) R_n, then n and h'
      gemm(B, H, H, ax, H, R + (<usize>(2 * H) << 2), G, hz + (<usize>(2 * H) << 2), G, 0);
      for (let r = 0; r < B; r++) {
        const zr = z + <usize>r * 3 * hb;
        const hzr = hz + <usize>r * 3 * hb;
        const hpr = hp + <usize>r * hb;
        const hnr = hn + <usize>r * hb;
        let j = 0;
        for (; j + 4 <= H; j += 4) {
          const o = <usize>j << 2;
          const ug = v128.load(zr + hb + o);
          const n = vtanh(f32x4.add(v128.load(zr + 2 * hb + o), v128.load(hzr + 2 * hb + o)));
          v128.store(zr + 2 * hb + o, n);
          v128.store(hnr + o, f32x4.add(f32x4.mul(f32x4.sub(one, ug), n), f32x4.mul(ug, v128.load(hpr + o))));
        }
        for (; j < H; j++) {
          const o = <usize>j << 2;
          const ug = load<f32>(zr + hb + o);
          const n = stanh(load<f32>(zr + 2 * hb + o) + load<f32>(hzr + 2 * hb + o));
          store<f32>(zr + 2 * hb + o, n);
          store<f32>(hnr + o, (1 - ug) * n + ug * load<f32>(hpr + o));
        }
      }
    }
  }
}

/**
 * GRU backward. dys [T·B, H]; KT [3H, X], RT [3H, H]. Scratch: dxz [T·B, 3H] (gradients of the
 * input-side pre-activations), dhz [T·B, 3H] (of the recurrent-side ones; reset-after only), dh,
 * dh2, drh [B, H]. Writes dh (ending as dh0), dx, dK [X, 3H], dR [H, 3H], db [3H], dbr [3H]
 * (reset-after; pass 0 otherwise).
 */
export function gruBackward(T: i32, B: i32, X: i32, H: i32, x: usize, KT: usize, RT: usize, resetAfter: i32, hs: usize, gates: usize, aux: usize, dys: usize, dxz: usize, dhz: usize, dh: usize, dh2: usize, drh: usize, dx: usize, dK: usize, dR: usize, db: usize, dbr: usize): void {
  const G = 3 * H;
  const TB = T * B;
  const hb = <usize>H << 2;
  const sz = (<usize>B * <usize>G) << 2;
  const sh = (<usize>B * <usize>H) << 2;
  const one = f32x4.splat(1.0);
  let cur = dh;
  let nxt = dh2;
  memory.copy(cur, dys + <usize>(T - 1) * sh, sh);
  for (let t = T - 1; t >= 0; t--) {
    const gt = gates + <usize>t * sz;
    const dxt = dxz + <usize>t * sz;
    const dht = dhz + <usize>t * sz;
    const hp = hs + <usize>t * sh;
    const ax = aux + <usize>t * sh;
    if (t > 0) memory.copy(nxt, dys + <usize>(t - 1) * sh, sh);
    else memory.fill(nxt, 0, sh);
    for (let r = 0; r < B; r++) {
      const gr = gt + <usize>r * 3 * hb;
      const dxr = dxt + <usize>r * 3 * hb;
      const dhr = dht + <usize>r * 3 * hb;
      const hpr = hp + <usize>r * hb;
      const axr = ax + <usize>r * hb;
      const dcur = cur + <usize>r * hb;
      const dnx = nxt + <usize>r * hb;
      let j = 0;
      for (; j + 4 <= H; j += 4) {
        const o = <usize>j << 2;
        const rg = v128.load(gr + o);
        const ug = v128.load(gr + hb + o);
        const n = v128.load(gr + 2 * hb + o);
        const d = v128.load(dcur + o);
        const h = v128.load(hpr + o);
        const dzn = f32x4.mul(f32x4.mul(d, f32x4.sub(one, ug)), f32x4.sub(one, f32x4.mul(n, n)));
        const dzu = f32x4.mul(f32x4.mul(d, f32x4.sub(h, n)), f32x4.mul(ug, f32x4.sub(one, ug)));
        v128.store(dxr + hb + o, dzu);
        v128.store(dxr + 2 * hb + o, dzn);
        v128.store(dnx + o, f32x4.add(v128.load(dnx + o), f32x4.mul(d, ug)));
        if (resetAfter != 0) {
          const dzr = f32x4.mul(f32x4.mul(dzn, v128.load(axr + o)), f32x4.mul(rg, f32x4.sub(one, rg)));
          v128.store(dxr + o, dzr);
          v128.store(dhr + o, dzr);
          v128.store(dhr + hb + o, dzu);
          v128.store(dhr + 2 * hb + o, f32x4.mul(dzn, rg));
        }
      }
      for (; j < H; j++) {
        const o = <usize>j << 2;
        const rg = load<f32>(gr + o);
        const ug = load<f32>(gr + hb + o);
        const n = load<f32>(gr + 2 * hb + o);
        const d = load<f32>(dcur + o);
        const h = load<f32>(hpr + o);
        const dzn = d * (1 - ug) * (1 - n * n);
        const dzu = d * (h - n) * (ug * (1 - ug));
        store<f32>(dxr + hb + o, dzu);
        store<f32>(dxr + 2 * hb + o, dzn);
        store<f32>(dnx + o, load<f32>(dnx + o) + d * ug);
        if (resetAfter != 0) {
          const dzr = dzn * load<f32>(axr + o) * (rg * (1 - rg));
          store<f32>(dxr + o, dzr);
          store<f32>(dhr + o, dzr);
          store<f32>(dhr + hb + o, dzu);
          store<f32>(dhr + 2 * hb + o, dzn * rg);
        }
      }
    }
    if (resetAfter != 0) {
      gemm(B, H, G, dht, G, RT, H, nxt, H, 1);
    } else {
      // d(r⊙h) = dzn · R_nᵀ; then dr and the direct path into h
      gemm(B, H, H, dxt + (<usize>(2 * H) << 2), G, RT + ((<usize>(2 * H) * <usize>H) << 2), H, drh, H, 0);
      for (let r = 0; r < B; r++) {
        const gr = gt + <usize>r * 3 * hb;
        const dxr = dxt + <usize>r * 3 * hb;
        const hpr = hp + <usize>r * hb;
        const drr = drh + <usize>r * hb;
        const dnx = nxt + <usize>r * hb;
        let j = 0;
        for (; j + 4 <= H; j += 4) {
          const o = <usize>j << 2;
          const rg = v128.load(gr + o);
          const d = v128.load(drr + o);
          v128.store(dxr + o, f32x4.mul(f32x4.mul(d, v128.load(hpr + o)), f32x4.mul(rg, f32x4.sub(one, rg))));
          v128.store(dnx + o, f32x4.add(v128.load(dnx + o), f32x4.mul(d, rg)));
        }
        for (; j < H; j++) {
          const o = <usize>j << 2;
          const rg = load<f32>(gr + o);
          const d = load<f32>(drr + o);
          store<f32>(dxr + o, d * load<f32>(hpr + o) * (rg * (1 - rg)));
          store<f32>(dnx + o, load<f32>(dnx + o) + d * rg);
        }
      }
      gemm(B, H, 2 * H, dxt, G, RT, H, nxt, H, 1);
    }
    const tmp = cur;
    cur = nxt;
    nxt = tmp;
  }
  if (cur != dh) memory.copy(dh, cur, sh);
  gemmTN(TB, X, G, x, X, dxz, G, dK, G, 0);
  colsum(TB, G, dxz, G, db, 0);
  if (resetAfter != 0) {
    gemmTN(TB, H, G, hs, H, dhz, G, dR, G, 0);
    if (dbr != 0) colsum(TB, G, dhz, G, dbr, 0);
  } else {
    gemmTN(TB, H, 2 * H, hs, H, dxz, G, dR, G, 0);
    gemmTN(TB, H, H, aux, H, dxz + (<usize>(2 * H) << 2), G, dR + (<usize>(2 * H) << 2), G, 0);
  }
  gemm(TB, X, G, dxz, G, KT, X, dx, X, 0);
}

// ---------------------------------------------------------------------------------------------
// Vanilla RNN: h' = φ(x K + h R + b), φ = tanh (act 0) or relu (act 1). hs [(T+1)·B, H].

function applyAct(n: i32, p: usize, act: i32): void {
  let i = 0;
  const zero = f32x4.splat(0.0);
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(p + o);
    v128.store(p + o, act == 0 ? vtanh(v) : f32x4.max(v, zero));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(p + o);
    store<f32>(p + o, act == 0 ? stanh(v) : max<f32>(v, 0));
  }
}

export function rnnForward(T: i32, B: i32, X: i32, H: i32, x: usize, K: usize, R: usize, bias: usize, act: i32, hs: usize): void {
  const TB = T * B;
  const sh = (<usize>B * <usize>H) << 2;
  broadcastRows(TB, H, bias, hs + sh);
  gemm(TB, H, X, x, X, K, H, hs + sh, H, 1);
  for (let t = 0; t < T; t++) {
    const hn = hs + <usize>(t + 1) * sh;
    gemm(B, H, H, hs + <usize>t * sh, H, R, H, hn, H, 1);
    applyAct(B * H, hn, act);
  }
}

/** RNN backward: dpre [T·B, H] scratch; KT [H, X], RT [H, H]. */
export function rnnBackward(T: i32, B: i32, X: i32, H: i32, x: usize, KT: usize, RT: usize, act: i32, hs: usize, dys: usize, dpre: usize, dh: usize, dx: usize, dK: usize, dR: usize, db: usize): void {
  const TB = T * B;
  const sh = (<usize>B * <usize>H) << 2;
  const n = B * H;
  const one = f32x4.splat(1.0);
  const zero = f32x4.splat(0.0);
  memory.copy(dh, dys + <usize>(T - 1) * sh, sh);
  for (let t = T - 1; t >= 0; t--) {
    const h = hs + <usize>(t + 1) * sh;
    const dp = dpre + <usize>t * sh;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const hv = v128.load(h + o);
      const d = v128.load(dh + o);
      const deriv = act == 0 ? f32x4.sub(one, f32x4.mul(hv, hv)) : v128.and(f32x4.gt(hv, zero), one);
      v128.store(dp + o, f32x4.mul(d, deriv));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const hv = load<f32>(h + o);
      const deriv: f32 = act == 0 ? 1 - hv * hv : hv > 0 ? 1 : 0;
      store<f32>(dp + o, load<f32>(dh + o) * deriv);
    }
    if (t > 0) memory.copy(dh, dys + <usize>(t - 1) * sh, sh);
    else memory.fill(dh, 0, sh);
    gemm(B, H, H, dp, H, RT, H, dh, H, 1);
  }
  gemmTN(TB, X, H, x, X, dpre, H, dK, H, 0);
  gemmTN(TB, H, H, hs, H, dpre, H, dR, H, 0);
  colsum(TB, H, dpre, H, db, 0);
  gemm(TB, X, H, dpre, H, KT, X, dx, X, 0);
}

/** 1 in the relaxed-SIMD build (kernels-relaxed.wasm), 0 in the 128-bit SIMD one. */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

/** First byte the host may use (after the module's static data), 64-byte aligned. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~63;
}
