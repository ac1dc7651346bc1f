/*
 * rxrnn native kernels: the peephole / CIFG LSTM step and sequence, forward and backward.
 *
 * Peephole / CIFG LSTM (Greff et al. 2017 §II "vanilla", and NP, CIFG), row-vector layout. Blocks
 * of z = x K + h R + b: i, f, g, o (G = 4H), or with `coupled` (CIFG) i, g, o (G = 3H):
 *   i = σ(z_i + p_i ⊙ c_{t−1});  f = σ(z_f + p_f ⊙ c_{t−1}) or 1 − i;  g = tanh(z_g);
 *   c_t = f ⊙ c_{t−1} + i ⊙ g;  o = σ(z_o + p_o ⊙ c_t);  h_t = o ⊙ tanh(c_t).
 * Peepholes pi, pf, po [H] are on when pi ≠ NULL (then po too, and pf unless coupled). The row
 * functions take `peep`, `coupled`, `keep` as constants, so each combination compiles to its own
 * branch-free loop.
 */
#include "avx2.h" /* (first: the rest of this file is compiled for AVX2 + FMA) */
#include "activations.h"
#ifdef RX_X86

ROW lstmv_row_fw(int H, float *restrict zi, float *restrict zf, float *restrict zg, float *restrict zo, const float *restrict pi, const float *restrict pf,
                 const float *restrict po, const float *restrict cp, float *restrict cn, float *restrict hn, float *restrict tc, const int peep,
                 const int coupled, const int keep) {
  for (int j = 0; j < H; j++) {
    float c0 = cp[j];
    float i = ssig(peep ? zi[j] + c0 * pi[j] : zi[j]); /* ī = z_i + p_i ⊙ c_{t−1} */
    float f;
    if (coupled) f = 1 - i; /* CIFG: f = 1 − i */
    else {
      f = ssig(peep ? zf[j] + c0 * pf[j] : zf[j]); /* f̄ = z_f + p_f ⊙ c_{t−1} */
      zf[j] = f;
    }
    float g = stanh(zg[j]);
    float c = f * c0 + i * g; /* c_t = f ⊙ c_{t−1} + i ⊙ g */
    float o = ssig(peep ? zo[j] + c * po[j] : zo[j]); /* ō = z_o + p_o ⊙ c_t */
    float t = stanh(c);
    zi[j] = i;
    zg[j] = g;
    zo[j] = o;
    cn[j] = c;
    hn[j] = o * t; /* h_t = o ⊙ tanh(c_t) */
    if (keep) tc[j] = t;
  }
}

static void lstmv_cell_fw(int B, int H, int coupled, float *z, const float *pi, const float *pf, const float *po, const float *cp, float *cn, float *hn,
                          float *tc) {
  int nb = coupled ? 3 : 4;
  for (int r = 0; r < B; r++) {
    float *zr = z + (size_t)r * nb * H;
    float *zf = coupled ? NULL : zr + H, *zg = zr + (size_t)(nb - 2) * H, *zo = zr + (size_t)(nb - 1) * H;
    size_t o = (size_t)r * H;
    float *t = tc ? tc + o : NULL;
#define FW(P, C, K) lstmv_row_fw(H, zr, zf, zg, zo, pi, pf, po, cp + o, cn + o, hn + o, t, P, C, K)
    if (pi) {
      if (coupled) { if (tc) FW(1, 1, 1); else FW(1, 1, 0); }
      else { if (tc) FW(1, 0, 1); else FW(1, 0, 0); }
    } else {
      if (coupled) { if (tc) FW(0, 1, 1); else FW(0, 1, 0); }
      else { if (tc) FW(0, 0, 1); else FW(0, 0, 0); }
    }
#undef FW
  }
}

/* Kp, Rp (optional): K and R packed by the host (k_pack), as for k_lstmForward. */
void k_lstmvForward(int T, int B, int X, int H, int coupled, const float *x, const float *K, const float *R, const float *bias, const float *pi,
                           const float *pf, const float *po, float *hs, float *cs, float *gates, float *tanhc, const float *Kp, const float *Rp) {
  int G = (coupled ? 3 : 4) * H, TB = T * B;
  size_t sz = (size_t)B * G, sh = (size_t)B * H;
  broadcast_rows(TB, G, bias, gates);
  packed_t pk = { Kp, X, G };
  gemm_w(TB, G, X, x, X, Kp && TB >= 4 ? &pk : NULL, K, G, gates, G, 1); /* all input projections at once: [T·B, G] */
  packed_t pr, *ppr = NULL;
  if (Rp && B >= 4) { pr.p = Rp; pr.K = H; pr.N = G; ppr = &pr; }
  else if (PREPACK(T, B)) { pr = prepack(0, H, G, R, G); ppr = &pr; }
  for (int t = 0; t < T; t++) {
    float *z = gates + (size_t)t * sz;
    gemm_w(B, G, H, hs + (size_t)t * sh, H, ppr, R, G, z, G, 1); /* + h_{t−1} R */
    lstmv_cell_fw(B, H, coupled, z, pi, pf, po, cs + (size_t)t * sh, cs + (size_t)(t + 1) * sh, hs + (size_t)(t + 1) * sh, tanhc ? tanhc + (size_t)t * sh : NULL);
  }
}

/* dz from (dh, dc) at one step; dc becomes dc_{t−1} (through f and the peepholes p_i, p_f). */
ROW lstmv_row_bw(int H, const float *restrict gi, const float *restrict gf, const float *restrict gg, const float *restrict go, const float *restrict pi,
                 const float *restrict pf, const float *restrict po, const float *restrict cp, const float *restrict tc, const float *restrict dh,
                 float *restrict dc, float *restrict di, float *restrict df, float *restrict dg, float *restrict dO, const int peep, const int coupled) {
  for (int j = 0; j < H; j++) {
    float i = gi[j], g = gg[j], o = go[j], t = tc[j], d = dh[j], c0 = cp[j];
    float dzo = d * t * (o * (1 - o)); /* dō */
    float dcc = dc[j] + d * o * (1 - t * t); /* dc_t */
    if (peep) dcc += dzo * po[j]; /* + dō ⊙ p_o */
    dg[j] = dcc * i * (1 - g * g);
    dO[j] = dzo;
    float dcp;
    if (coupled) {
      float dzi = dcc * (g - c0) * (i * (1 - i)); /* f = 1 − i: ∂c/∂i = g − c_{t−1} */
      di[j] = dzi;
      dcp = dcc * (1 - i);
      if (peep) dcp += dzi * pi[j];
    } else {
      float f = gf[j];
      float dzi = dcc * g * (i * (1 - i));
      float dzf = dcc * c0 * (f * (1 - f));
      di[j] = dzi;
      df[j] = dzf;
      dcp = dcc * f;
      if (peep) dcp += dzi * pi[j] + dzf * pf[j];
    }
    dc[j] = dcp; /* dc_{t−1} */
  }
}

static void lstmv_cell_bw(int B, int H, int coupled, const float *gates, const float *pi, const float *pf, const float *po, const float *cp, const float *tc,
                          const float *dh, float *dc, float *dz) {
  int nb = coupled ? 3 : 4;
  for (int r = 0; r < B; r++) {
    const float *g = gates + (size_t)r * nb * H;
    float *d = dz + (size_t)r * nb * H;
    const float *gf = coupled ? NULL : g + H, *gg = g + (size_t)(nb - 2) * H, *go = g + (size_t)(nb - 1) * H;
    float *df = coupled ? NULL : d + H, *dg = d + (size_t)(nb - 2) * H, *dO = d + (size_t)(nb - 1) * H;
    size_t o = (size_t)r * H;
#define BW(P, C) lstmv_row_bw(H, g, gf, gg, go, pi, pf, po, cp + o, tc + o, dh + o, dc + o, d, df, dg, dO, P, C)
    if (pi) { if (coupled) BW(1, 1); else BW(1, 0); }
    else { if (coupled) BW(0, 1); else BW(0, 0); }
#undef BW
  }
}

void k_lstmvBackward(int T, int B, int X, int H, int coupled, const float *x, const float *KT, const float *RT, const float *pi, const float *pf,
                            const float *po, const float *hs, const float *cs, const float *gates, const float *tanhc, const float *dys, const float *dcT,
                            float *dz, float *dh, float *dc, float *dx, float *dK, float *dR, float *db, float *dpi, float *dpf, float *dpo) {
  int nb = coupled ? 3 : 4, G = nb * H, TB = T * B;
  size_t sz = (size_t)B * G, sh = (size_t)B * H;
  memcpy(dc, dcT, sh * sizeof(float));
  memcpy(dh, dys + (size_t)(T - 1) * sh, sh * sizeof(float));
  packed_t prt, *pprt = PREPACK(T, B) ? (prt = prepack(0, G, H, RT, H), &prt) : NULL;
  for (int t = T - 1; t >= 0; t--) {
    float *dzt = dz + (size_t)t * sz;
    lstmv_cell_bw(B, H, coupled, gates + (size_t)t * sz, pi, pf, po, cs + (size_t)t * sh, tanhc + (size_t)t * sh, dh, dc, dzt);
    if (t > 0) memcpy(dh, dys + (size_t)(t - 1) * sh, sh * sizeof(float));
    else memset(dh, 0, sh * sizeof(float));
    gemm_w(B, H, G, dzt, G, pprt, RT, H, dh, H, 1); /* dh_{t−1} += dz̄_t Rᵀ */
  }
  dense_grads(TB, X, H, G, x, hs, dz, KT, dK, dR, db, dx); /* dK = Xᵀ dZ, dR = H_{0..T−1}ᵀ dZ, db, dX = dZ Kᵀ */
  if (pi) {
    colsum_mul(TB, H, dz, G, cs, H, dpi); /* dp_i = Σ dī ⊙ c_{t−1} */
    if (!coupled) colsum_mul(TB, H, dz + H, G, cs, H, dpf); /* dp_f = Σ df̄ ⊙ c_{t−1} */
    colsum_mul(TB, H, dz + (size_t)(nb - 1) * H, G, cs + sh, H, dpo); /* dp_o = Σ dō ⊙ c_t */
  }
}

#endif /* RX_X86 */
