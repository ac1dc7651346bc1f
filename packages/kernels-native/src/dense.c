/*
 * rxrnn native kernels: dense helpers: transpose, column sums (bias and peephole gradients), a
 * bias broadcast into every row, and the gradients of a dense layer over many rows.
 */
#include "avx2.h" /* (first: the rest of this file is compiled for AVX2 + FMA) */

#ifdef RX_X86

void k_transpose(int R, int Cc, const float *src, float *dst) {
  for (int i0 = 0; i0 < R; i0 += 8)
    for (int j0 = 0; j0 < Cc; j0 += 8)
      for (int i = i0; i < i0 + 8 && i < R; i++)
        for (int j = j0; j < j0 + 8 && j < Cc; j++) dst[(size_t)j * R + i] = src[(size_t)i * Cc + j];
}

void k_colsum(int M, int N, const float *A, int lda, float *restrict out, int acc) {
  if (!acc) memset(out, 0, (size_t)N * sizeof(float));
  for (int m = 0; m < M; m++) {
    const float *a = A + (size_t)m * lda;
    for (int j = 0; j < N; j++) out[j] += a[j];
  }
}

void broadcast_rows(int M, int N, const float *v, float *C) {
  for (int i = 0; i < M; i++) memcpy(C + (size_t)i * N, v, (size_t)N * sizeof(float));
}

/* out[N] = Σ_m A[m, :] ⊙ C[m, :] (peephole gradients: dp = Σ_{t,b} dz̄ ⊙ c). */
void colsum_mul(int M, int N, const float *A, int lda, const float *C, int ldc, float *restrict out) {
  memset(out, 0, (size_t)N * sizeof(float));
  for (int m = 0; m < M; m++) {
    const float *a = A + (size_t)m * lda, *c = C + (size_t)m * ldc;
    for (int j = 0; j < N; j++) out[j] += a[j] * c[j];
  }
}


/* The weight and input gradients of z = x K + h R + b over TB rows, from dz [TB, G]: dK = xᵀ dz,
 * dR = hᵀ dz (h [TB, Hr]: a sequence's h_0 .. h_{T−1}), db = Σ dz, dx = dz Kᵀ. */
void dense_grads(int TB, int X, int Hr, int G, const float *x, const float *h, const float *dz, const float *KT, float *dK, float *dR, float *db, float *dx) {
  k_gemmTN(TB, X, G, x, X, dz, G, dK, G, 0);
  k_gemmTN(TB, Hr, G, h, Hr, dz, G, dR, G, 0);
  k_colsum(TB, G, dz, G, db, 0);
  k_gemm(TB, X, G, dz, G, KT, X, dx, X, 0);
}

#endif /* RX_X86 */
