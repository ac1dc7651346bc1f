/*
 * rxrnn native kernels: GEMM.
 *
 * GEMM: C[M,N] (+)= op(A)[M,K] · B[K,N], op(A) = A or (transA) the transpose of A stored [K,M].
 * Goto-style blocking: a KC×N block of B packed in 16-column panels (each panel 16 KB, in L1),
 * an MC×KC block of A packed in 6-row slivers (in L2), a 6×16 register tile with FMA. Rows < 4
 * (batch-1 and small-batch steps) stream B once per row instead (memory-bound GEMV).
 * Every path gives each entry of C the same arithmetic: c ← fma(a_k, b_kj, c) for k = 0 .. K−1,
 * starting from C (or 0), whatever the number of rows, the blocking and the split over threads:
 * a row's result never depends on the other rows of its batch (batching a stream changes none
 * of its outputs) nor on the threads.
 */
#include "avx2.h" /* (first: the rest of this file is compiled for AVX2 + FMA) */

#ifdef RX_X86

#define KC 256
#define MC 120
#define MR 6

static void pack_a(int mc, int kc, const float *A, int lda, int trans, float *pa) {
  for (int i = 0; i < mc; i += MR) {
    int mr = mc - i < MR ? mc - i : MR;
    for (int k = 0; k < kc; k++) {
      for (int r = 0; r < MR; r++) pa[r] = r < mr ? (trans ? A[(size_t)k * lda + i + r] : A[(size_t)(i + r) * lda + k]) : 0.0f;
      pa += MR;
    }
  }
}

/* dst = B[K, N] (ld ldb) in NR-column panels over K ([⌈N/NR⌉][K][NR], zero-padded): a KC-deep
 * block of B for gemm_cols, or a whole weight matrix (prepack, k_pack). */
static void pack_panels(int K, int N, const float *B, int ldb, float *dst) {
  int np = (N + NR - 1) / NR;
  for (int q = 0; q < np; q++) {
    int j = q * NR, nr = N - j < NR ? N - j : NR;
    float *d = dst + (size_t)q * NR * K;
    const float *s = B + j;
    for (int k = 0; k < K; k++, s += ldb, d += NR) {
      if (nr == NR) {
        _mm256_store_ps(d, _mm256_loadu_ps(s));
        _mm256_store_ps(d + 8, _mm256_loadu_ps(s + 8));
      } else {
        for (int r = 0; r < NR; r++) d[r] = r < nr ? s[r] : 0.0f;
      }
    }
  }
}

/* C[mr, nr] += (6×kc packed A) · (kc×16 packed B), each entry's multiply-adds fused and in order of k,
 * straight onto C (loaded into the accumulators first): c ← fma(a_k, b_k, c) for k = 0 .. kc−1. */
static inline void tile6x16(int kc, const float *pa, const float *pb, float *C, int ldc, int mr, int nr) {
  float t[MR * NR] __attribute__((aligned(32)));
  int full = mr == MR && nr == NR;
  float *c = full ? C : t;
  int ld = full ? ldc : NR;
  if (!full) {
    memset(t, 0, sizeof t);
    for (int r = 0; r < mr; r++) memcpy(t + r * NR, C + (size_t)r * ldc, (size_t)nr * sizeof(float));
  }
#define LOAD_ROW(r, x0, x1) __m256 x0 = _mm256_loadu_ps(c + (size_t)(r) * ld), x1 = _mm256_loadu_ps(c + (size_t)(r) * ld + 8);
  LOAD_ROW(0, c00, c01) LOAD_ROW(1, c10, c11) LOAD_ROW(2, c20, c21)
  LOAD_ROW(3, c30, c31) LOAD_ROW(4, c40, c41) LOAD_ROW(5, c50, c51)
#undef LOAD_ROW
  for (int k = 0; k < kc; k++, pa += MR, pb += NR) {
    __m256 b0 = _mm256_load_ps(pb), b1 = _mm256_load_ps(pb + 8), a;
    a = _mm256_broadcast_ss(pa + 0); c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(pa + 1); c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(pa + 2); c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(pa + 3); c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(pa + 4); c40 = _mm256_fmadd_ps(a, b0, c40); c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(pa + 5); c50 = _mm256_fmadd_ps(a, b0, c50); c51 = _mm256_fmadd_ps(a, b1, c51);
  }
#define STORE_ROW(r, x0, x1) _mm256_storeu_ps(c + (size_t)(r) * ld, x0); _mm256_storeu_ps(c + (size_t)(r) * ld + 8, x1);
  STORE_ROW(0, c00, c01) STORE_ROW(1, c10, c11) STORE_ROW(2, c20, c21)
  STORE_ROW(3, c30, c31) STORE_ROW(4, c40, c41) STORE_ROW(5, c50, c51)
#undef STORE_ROW
  if (!full)
    for (int r = 0; r < mr; r++) memcpy(C + (size_t)r * ldc, t + r * NR, (size_t)nr * sizeof(float));
}

/* c[0..n) += a[0..K) · B[K, n] (B rows streamed four at a time), in the tile's arithmetic: each
 * entry c ← fma(a_k, b_k, c) for k = 0 .. K−1 (vector lanes and scalar tail alike). */
void gemv_row(int n, int K, const float *a, const float *B, int ldb, float *restrict c) {
  int k = 0;
  for (; k + 4 <= K; k += 4) {
    const float *b0 = B + (size_t)k * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
    __m256 a0 = _mm256_set1_ps(a[k]), a1 = _mm256_set1_ps(a[k + 1]), a2 = _mm256_set1_ps(a[k + 2]), a3 = _mm256_set1_ps(a[k + 3]);
    int j = 0;
    for (; j + 16 <= n; j += 16) {
      __m256 x0 = _mm256_loadu_ps(c + j), x1 = _mm256_loadu_ps(c + j + 8);
      x0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(b0 + j), x0);
      x1 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(b0 + j + 8), x1);
      x0 = _mm256_fmadd_ps(a1, _mm256_loadu_ps(b1 + j), x0);
      x1 = _mm256_fmadd_ps(a1, _mm256_loadu_ps(b1 + j + 8), x1);
      x0 = _mm256_fmadd_ps(a2, _mm256_loadu_ps(b2 + j), x0);
      x1 = _mm256_fmadd_ps(a2, _mm256_loadu_ps(b2 + j + 8), x1);
      x0 = _mm256_fmadd_ps(a3, _mm256_loadu_ps(b3 + j), x0);
      x1 = _mm256_fmadd_ps(a3, _mm256_loadu_ps(b3 + j + 8), x1);
      _mm256_storeu_ps(c + j, x0);
      _mm256_storeu_ps(c + j + 8, x1);
    }
    for (; j < n; j++) c[j] = fmaf(a[k + 3], b3[j], fmaf(a[k + 2], b2[j], fmaf(a[k + 1], b1[j], fmaf(a[k], b0[j], c[j]))));
  }
  for (; k < K; k++) {
    const float *b0 = B + (size_t)k * ldb;
    for (int j = 0; j < n; j++) c[j] = fmaf(a[k], b0[j], c[j]);
  }
}

/* Columns [n0, n1) of C += op(A) · B. */
static void gemm_cols(int M, int n0, int n1, int K, const float *A, int lda, int transA, const float *B, int ldb, float *C, int ldc) {
  int nc = n1 - n0;
  if (nc <= 0 || M <= 0 || K <= 0) return;
  if (!transA && M < 4) {
    for (int i = 0; i < M; i++) gemv_row(nc, K, A + (size_t)i * lda, B + n0, ldb, C + (size_t)i * ldc + n0);
    return;
  }
  pack_bufs *bufs = my_bufs();
  int ncp = (nc + NR - 1) / NR * NR;
  float *pb = grow(&bufs->b, &bufs->nb, (size_t)KC * ncp);
  float *pa = grow(&bufs->a, &bufs->na, (size_t)(MC + MR) * KC);
  if (!pa || !pb) abort();
  for (int k0 = 0; k0 < K; k0 += KC) {
    int kc = K - k0 < KC ? K - k0 : KC;
    pack_panels(kc, nc, B + (size_t)k0 * ldb + n0, ldb, pb);
    for (int i0 = 0; i0 < M; i0 += MC) {
      int mc = M - i0 < MC ? M - i0 : MC;
      pack_a(mc, kc, transA ? A + (size_t)k0 * lda + i0 : A + (size_t)i0 * lda + k0, lda, transA, pa);
      for (int j = 0; j < nc; j += NR) {
        int nr = nc - j < NR ? nc - j : NR;
        const float *pbj = pb + (size_t)j * kc;
        for (int i = 0; i < mc; i += MR)
          tile6x16(kc, pa + (size_t)i * kc, pbj, C + (size_t)(i0 + i) * ldc + n0 + j, ldc, mc - i < MR ? mc - i : MR, nr);
      }
    }
  }
}

/* Below this many multiply-adds a GEMM runs on one thread: splitting costs more than it saves
 * (measured: a 32×128×128 RNN step is slower on two threads than on one). */
#define PAR_MIN_MACS 1.5e6
/* A GEMV (fewer than 4 rows: a batch-1 step) is bound by reading B, not by arithmetic: it is split
 * from this many bytes of B on (a GRU step's 512×1536 block, 3 MiB, took as long on two threads as
 * on one under the multiply-add rule above, which kept it on one). */
#define PAR_MIN_GEMV_BYTES 524288.0

typedef struct { int M, N, K, lda, transA, ldb, ldc, align; const float *A, *B; float *C; } gemm_job;

static void gemm_part(void *p, int part, int parts) {
  gemm_job *g = p;
  int per = (g->N + parts - 1) / parts;
  per = (per + g->align - 1) / g->align * g->align;
  int n0 = part * per, n1 = n0 + per < g->N ? n0 + per : g->N;
  gemm_cols(g->M, n0, n1, g->K, g->A, g->lda, g->transA, g->B, g->ldb, g->C, g->ldc);
}

static void gemm_x(int M, int N, int K, const float *A, int lda, int transA, const float *B, int ldb, float *C, int ldc, int accumulate) {
  if (!accumulate)
    for (int i = 0; i < M; i++) memset(C + (size_t)i * ldc, 0, (size_t)N * sizeof(float));
  gemm_job g = { M, N, K, lda, transA, ldb, ldc, (!transA && M < 4) ? 8 : NR, A, B, C };
  int parts = tl_threads;
  double work = (double)M * N * K;
  if (work < PAR_MIN_MACS && !(M < 4 && (double)N * K * 4.0 >= PAR_MIN_GEMV_BYTES)) parts = 1;
  if (parts > 1 && N < parts * g.align) parts = N / g.align > 1 ? N / g.align : 1;
  run_parallel(gemm_part, &g, parts);
}

/* C[M,N] = (acc ? C : 0) + A[M,K] · B[K,N] */
void k_gemm(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int acc) {
  gemm_x(M, N, K, A, lda, 0, B, ldb, C, ldc, acc);
}
/* C[K,N] = (acc ? C : 0) + A[M,K]ᵀ · B[M,N] */
void k_gemmTN(int M, int K, int N, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int acc) {
  gemm_x(K, N, M, A, lda, 1, B, ldb, C, ldc, acc);
}

/* ------------------------------------------------------------------------------------------ */
/* Pre-packed weights. Inside one sequence call the recurrent weights are the same at every step, */
/* so they are packed once into 16-column panels over the full K ([⌈N/16⌉][K][16]) and each step's */
/* small-M GEMM (M = batch) runs the 6×16 tile straight on them, split by panels over the threads. */


packed_t prepack(int slot, int K, int N, const float *B, int ldb) {
  pack_bufs *bufs = my_bufs();
  float *dst = grow(&bufs->w[slot], &bufs->nw[slot], (size_t)((N + NR - 1) / NR) * NR * K);
  if (!dst) abort();
  pack_panels(K, N, B, ldb, dst);
  packed_t out = { dst, K, N };
  return out;
}

/* The host's copy of a weight matrix kept packed between calls (pack entry point; ⌈N/16⌉·16·K floats). */
void k_pack(int K, int N, const float *src, int ldb, float *dst) { pack_panels(K, N, src, ldb, dst); }

typedef struct { int M, lda, ldc; const float *A; const packed_t *B; float *C; } pp_job;

static void pp_part(void *p, int part, int parts) {
  pp_job *g = p;
  int K = g->B->K, N = g->B->N, np = (N + NR - 1) / NR;
  int per = (np + parts - 1) / parts, q0 = part * per, q1 = q0 + per < np ? q0 + per : np;
  if (q0 >= q1) return;
  pack_bufs *bufs = my_bufs();
  int mp = (g->M + MR - 1) / MR * MR;
  float *pa = grow(&bufs->a, &bufs->na, (size_t)mp * K);
  if (!pa) abort();
  pack_a(g->M, K, g->A, g->lda, 0, pa);
  for (int q = q0; q < q1; q++) {
    int j = q * NR, nr = N - j < NR ? N - j : NR;
    const float *pb = g->B->p + (size_t)q * NR * K;
    for (int i = 0; i < g->M; i += MR) tile6x16(K, pa + (size_t)i * K, pb, g->C + (size_t)i * g->ldc + j, g->ldc, g->M - i < MR ? g->M - i : MR, nr);
  }
}

/* C[M, N] = (acc ? C : 0) + A[M, K] · (packed B). */
void gemm_pp(int M, const float *A, int lda, const packed_t *B, float *C, int ldc, int acc) {
  if (!acc)
    for (int i = 0; i < M; i++) memset(C + (size_t)i * ldc, 0, (size_t)B->N * sizeof(float));
  pp_job g = { M, lda, ldc, A, B, C };
  int np = (B->N + NR - 1) / NR;
  int parts = tl_threads;
  if ((double)M * B->N * B->K < PAR_MIN_MACS) parts = 1;
  if (parts > np) parts = np;
  run_parallel(pp_part, &g, parts);
}

#endif /* RX_X86 */
