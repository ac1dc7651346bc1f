/*
 * rxrnn native kernels: the vanilla RNN step and sequence, forward and backward.
 *
 * Vanilla RNN: h' = φ(x K + h R + b), φ = tanh (act 0) or relu (act 1).
 */
#include "avx2.h" /* (first: the rest of this file is compiled for AVX2 + FMA) */
#include "activations.h"
#ifdef RX_X86

static void apply_act(int n, float *p, int act) {
  if (act == 0) for (int i = 0; i < n; i++) p[i] = stanh(p[i]);
  else for (int i = 0; i < n; i++) p[i] = p[i] > 0 ? p[i] : 0;
}

void k_rnnForward(int T, int B, int X, int H, const float *x, const float *K, const float *R, const float *bias, int act, float *hs, const float *Kp,
                         const float *Rp) {
  int TB = T * B;
  size_t sh = (size_t)B * H;
  broadcast_rows(TB, H, bias, hs + sh);
  packed_t pk = { Kp, X, H };
  gemm_w(TB, H, X, x, X, Kp && TB >= 4 ? &pk : NULL, K, H, hs + sh, H, 1);
  packed_t pr, *ppr = NULL;
  if (Rp && B >= 4) { pr.p = Rp; pr.K = H; pr.N = H; ppr = &pr; }
  else if (PREPACK(T, B)) { pr = prepack(0, H, H, R, H); ppr = &pr; }
  for (int t = 0; t < T; t++) {
    float *hn = hs + (size_t)(t + 1) * sh;
    gemm_w(B, H, H, hs + (size_t)t * sh, H, ppr, R, H, hn, H, 1);
    apply_act(B * H, hn, act);
  }
}

void k_rnnBackward(int T, int B, int X, int H, const float *x, const float *KT, const float *RT, int act, const float *hs, const float *dys, float *dpre,
                          float *dh, float *dx, float *dK, float *dR, float *db) {
  int TB = T * B, n = B * H;
  size_t sh = (size_t)B * H;
  memcpy(dh, dys + (size_t)(T - 1) * sh, sh * sizeof(float));
  packed_t prt, *pprt = PREPACK(T, B) ? (prt = prepack(0, H, H, RT, H), &prt) : NULL;
  for (int t = T - 1; t >= 0; t--) {
    const float *h = hs + (size_t)(t + 1) * sh;
    float *dp = dpre + (size_t)t * sh;
    for (int i = 0; i < n; i++) dp[i] = dh[i] * (act == 0 ? 1 - h[i] * h[i] : (h[i] > 0 ? 1.0f : 0.0f));
    if (t > 0) memcpy(dh, dys + (size_t)(t - 1) * sh, sh * sizeof(float));
    else memset(dh, 0, sh * sizeof(float));
    gemm_w(B, H, H, dp, H, pprt, RT, H, dh, H, 1);
  }
  dense_grads(TB, X, H, H, x, hs, dpre, KT, dK, dR, db, dx);
}

#endif /* RX_X86 */
