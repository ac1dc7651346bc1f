/*
 * rxrnn native kernels: the GRU step and sequence, forward and backward.
 *
 * GRU (gate order r, z, n). Reset-after: n = tanh(x K_n + b_n + r ⊙ (h R_n + b'_n)); reset-before:
 * n = tanh(x K_n + b_n + (r ⊙ h) R_n); h' = (1 − z) ⊙ n + z ⊙ h. gates [T·B, 3H] receives r, z, n;
 * aux [T·B, H] receives h R_n + b'_n (reset-after) or r ⊙ h (reset-before); hz [B, 3H] scratch.
 */
#include "avx2.h" /* (first: the rest of this file is compiled for AVX2 + FMA) */
#include "activations.h"
#ifdef RX_X86

ROW gru_row_fw(int H, float *restrict zr, float *restrict zu, float *restrict zn, const float *restrict hr, const float *restrict hu,
               const float *restrict hnn, const float *restrict hp, float *restrict hn, float *restrict ax, const int after) {
  for (int j = 0; j < H; j++) {
    float rg = ssig(zr[j] + hr[j]);
    float ug = ssig(zu[j] + hu[j]);
    zr[j] = rg;
    zu[j] = ug;
    if (after) {
      float n = stanh(zn[j] + rg * hnn[j]);
      zn[j] = n;
      ax[j] = hnn[j];
      hn[j] = (1 - ug) * n + ug * hp[j];
    } else {
      ax[j] = rg * hp[j];
    }
  }
}

ROW gru_row_bw(int H, const float *restrict gr, const float *restrict gu, const float *restrict gn, const float *restrict dcur, const float *restrict hp,
               const float *restrict ax, float *restrict dxr, float *restrict dxu, float *restrict dxn, float *restrict dhr, float *restrict dhu,
               float *restrict dhn, float *restrict dnx, const int after) {
  for (int j = 0; j < H; j++) {
    float rg = gr[j], ug = gu[j], n = gn[j], d = dcur[j], h = hp[j];
    float dzn = d * (1 - ug) * (1 - n * n);
    float dzu = d * (h - n) * (ug * (1 - ug));
    dxu[j] = dzu;
    dxn[j] = dzn;
    dnx[j] += d * ug;
    if (after) {
      float dzr = dzn * ax[j] * (rg * (1 - rg));
      dxr[j] = dzr;
      dhr[j] = dzr;
      dhu[j] = dzu;
      dhn[j] = dzn * rg;
    }
  }
}

void k_gruForward(int T, int B, int X, int H, const float *x, const float *K, const float *R, const float *bias, const float *rbias, int resetAfter,
                         float *hs, float *gates, float *aux, float *hz, const float *Kp, const float *Rp) {
  int G = 3 * H, TB = T * B;
  size_t sz = (size_t)B * G, sh = (size_t)B * H;
  broadcast_rows(TB, G, bias, gates);
  packed_t pk = { Kp, X, G };
  gemm_w(TB, G, X, x, X, Kp && TB >= 4 ? &pk : NULL, K, G, gates, G, 1);
  /* reset-after: all of R at once (packed by the host when given); reset-before: R[:, :2H] and
   * R_n = R[:, 2H:] apart */
  packed_t p0, p1, *pp0 = NULL, *pp1 = NULL;
  if (Rp && resetAfter && B >= 4) { p0.p = Rp; p0.K = H; p0.N = G; pp0 = &p0; }
  else if (PREPACK(T, B)) {
    p0 = prepack(0, H, resetAfter ? G : 2 * H, R, G);
    pp0 = &p0;
    if (!resetAfter) { p1 = prepack(1, H, H, R + 2 * H, G); pp1 = &p1; }
  }
  for (int t = 0; t < T; t++) {
    float *z = gates + (size_t)t * sz;
    const float *hp = hs + (size_t)t * sh;
    float *hn = hs + (size_t)(t + 1) * sh, *ax = aux + (size_t)t * sh;
    if (resetAfter) {
      if (rbias) broadcast_rows(B, G, rbias, hz);
      gemm_w(B, G, H, hp, H, pp0, R, G, hz, G, rbias ? 1 : 0);
    } else {
      gemm_w(B, 2 * H, H, hp, H, pp0, R, G, hz, G, 0);
    }
    for (int r = 0; r < B; r++) {
      float *zr = z + (size_t)r * G, *hzr = hz + (size_t)r * G;
      size_t o = (size_t)r * H;
      if (resetAfter) gru_row_fw(H, zr, zr + H, zr + 2 * H, hzr, hzr + H, hzr + 2 * H, hp + o, hn + o, ax + o, 1);
      else gru_row_fw(H, zr, zr + H, zr + 2 * H, hzr, hzr + H, hzr + 2 * H, hp + o, hn + o, ax + o, 0);
    }
    if (!resetAfter) {
      gemm_w(B, H, H, ax, H, pp1, R + 2 * H, G, hz + 2 * H, G, 0); /* (r ⊙ h) R_n */
      for (int r = 0; r < B; r++) {
        float *zr = z + (size_t)r * G, *hnr = hn + (size_t)r * H;
        const float *hzr = hz + (size_t)r * G, *hpr = hp + (size_t)r * H;
        for (int j = 0; j < H; j++) {
          float ug = zr[H + j];
          float n = stanh(zr[2 * H + j] + hzr[2 * H + j]);
          zr[2 * H + j] = n;
          hnr[j] = (1 - ug) * n + ug * hpr[j];
        }
      }
    }
  }
}

void k_gruBackward(int T, int B, int X, int H, const float *x, const float *KT, const float *RT, int resetAfter, const float *hs, const float *gates,
                          const float *aux, const float *dys, float *dxz, float *dhz, float *dh, float *dh2, float *drh, float *dx, float *dK, float *dR,
                          float *db, float *dbr) {
  int G = 3 * H, TB = T * B;
  size_t sz = (size_t)B * G, sh = (size_t)B * H;
  float *cur = dh, *nxt = dh2;
  memcpy(cur, dys + (size_t)(T - 1) * sh, sh * sizeof(float));
  /* RT [3H, H]: reset-after all rows at once; reset-before rows 2H.. (R_nᵀ) and rows ..2H apart */
  packed_t p0, p1, *pp0 = NULL, *pp1 = NULL;
  if (PREPACK(T, B)) {
    p0 = prepack(0, resetAfter ? G : 2 * H, H, RT, H);
    pp0 = &p0;
    if (!resetAfter) { p1 = prepack(1, H, H, RT + (size_t)2 * H * H, H); pp1 = &p1; }
  }
  for (int t = T - 1; t >= 0; t--) {
    const float *gt = gates + (size_t)t * sz, *hp = hs + (size_t)t * sh, *ax = aux + (size_t)t * sh;
    float *dxt = dxz + (size_t)t * sz, *dht = dhz ? dhz + (size_t)t * sz : NULL;
    if (t > 0) memcpy(nxt, dys + (size_t)(t - 1) * sh, sh * sizeof(float));
    else memset(nxt, 0, sh * sizeof(float));
    for (int r = 0; r < B; r++) {
      const float *gr = gt + (size_t)r * G;
      float *dxr = dxt + (size_t)r * G;
      size_t o = (size_t)r * H;
      if (resetAfter) {
        float *dhr = dht + (size_t)r * G;
        gru_row_bw(H, gr, gr + H, gr + 2 * H, cur + o, hp + o, ax + o, dxr, dxr + H, dxr + 2 * H, dhr, dhr + H, dhr + 2 * H, nxt + o, 1);
      } else {
        gru_row_bw(H, gr, gr + H, gr + 2 * H, cur + o, hp + o, ax + o, dxr, dxr + H, dxr + 2 * H, NULL, NULL, NULL, nxt + o, 0);
      }
    }
    if (resetAfter) {
      gemm_w(B, H, G, dht, G, pp0, RT, H, nxt, H, 1);
    } else {
      gemm_w(B, H, H, dxt + 2 * H, G, pp1, RT + (size_t)2 * H * H, H, drh, H, 0); /* d(r⊙h) = dzn · R_nᵀ */
      for (int r = 0; r < B; r++) {
        const float *gr = gt + (size_t)r * G, *hpr = hp + (size_t)r * H, *drr = drh + (size_t)r * H;
        float *dxr = dxt + (size_t)r * G, *dnx = nxt + (size_t)r * H;
        for (int j = 0; j < H; j++) {
          float rg = gr[j], d = drr[j];
          dxr[j] = d * hpr[j] * (rg * (1 - rg));
          dnx[j] += d * rg;
        }
      }
      gemm_w(B, H, 2 * H, dxt, G, pp0, RT, H, nxt, H, 1);
    }
    float *tmp = cur;
    cur = nxt;
    nxt = tmp;
  }
  if (cur != dh) memcpy(dh, cur, sh * sizeof(float));
  k_gemmTN(TB, X, G, x, X, dxz, G, dK, G, 0);
  k_colsum(TB, G, dxz, G, db, 0);
  if (resetAfter) {
    k_gemmTN(TB, H, G, hs, H, dhz, G, dR, G, 0);
    if (dbr) k_colsum(TB, G, dhz, G, dbr, 0);
  } else {
    k_gemmTN(TB, H, 2 * H, hs, H, dxz, G, dR, G, 0);
    k_gemmTN(TB, H, H, aux, H, dxz + 2 * H, G, dR + 2 * H, G, 0);
  }
  k_gemm(TB, X, G, dxz, G, KT, X, dx, X, 0);
}

#endif /* RX_X86 */
