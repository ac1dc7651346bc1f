/*
 * rxrnn native kernels: the LSTM (and LSTMP) step and sequence, forward and backward.
 *
 * LSTM (gate order i, f, g, o):  z = x K + h R + b;  c' = σ(f)⊙c + σ(i)⊙tanh(g);  h' = σ(o)⊙tanh(c').
 */
#include "avx2.h" /* (first: the rest of this file is compiled for AVX2 + FMA) */
#include "activations.h"
#ifdef RX_X86

ROW lstm_row_fw(int H, float *restrict zi, float *restrict zf, float *restrict zg, float *restrict zo, const float *restrict cp, float *restrict cn,
                float *restrict hn, float *restrict tc, const int keep) {
  for (int j = 0; j < H; j++) {
    float i = ssig(zi[j]), f = ssig(zf[j]), g = stanh(zg[j]), o = ssig(zo[j]);
    zi[j] = i; zf[j] = f; zg[j] = g; zo[j] = o;
    float c = f * cp[j] + i * g;
    float t = stanh(c);
    cn[j] = c;
    hn[j] = o * t;
    if (keep) tc[j] = t;
  }
}

static void lstm_cell_fw(int B, int H, float *z, const float *cp, float *cn, float *hn, float *tc) {
  for (int r = 0; r < B; r++) {
    float *zi = z + (size_t)r * 4 * H;
    size_t o = (size_t)r * H;
    if (tc) lstm_row_fw(H, zi, zi + H, zi + 2 * H, zi + 3 * H, cp + o, cn + o, hn + o, tc + o, 1);
    else lstm_row_fw(H, zi, zi + H, zi + 2 * H, zi + 3 * H, cp + o, cn + o, hn + o, NULL, 0);
  }
}

/* A small-batch step (B < 4, no projection) on several threads, as one parallel job: each thread
 * takes a block of the gate columns [n0, n1) and streams both GEMVs for it (x K when x is part of the
 * job, then h R) into z, which already holds the bias (and the input projection otherwise); the cell
 * update then runs on the calling thread. Columns are split, not the rows of the weights: every entry
 * of z keeps the one order of fused multiply-adds of every other path (see gemv_row), so the step's
 * outputs depend neither on the threads nor on the batch. */
typedef struct { int B, X, H, withX; const float *x, *K, *R, *hp; float *z; } lstm_small_job;

static void lstm_small_part(void *p, int part, int parts) {
  lstm_small_job *j = p;
  int G = 4 * j->H;
  int per = (G + parts - 1) / parts;
  per = (per + NR - 1) / NR * NR; /* (whole cache lines of z per thread) */
  int n0 = part * per, n1 = n0 + per < G ? n0 + per : G;
  if (n0 >= n1) return;
  for (int b = 0; b < j->B; b++) {
    float *zb = j->z + (size_t)b * G + n0;
    if (j->withX) gemv_row(n1 - n0, j->X, j->x + (size_t)b * j->X, j->K + n0, G, zb);
    gemv_row(n1 - n0, j->H, j->hp + (size_t)b * j->H, j->R + n0, G, zb);
  }
}

/* z += x K (withX) + h R over the threads; then the cell update. */
static void lstm_small_step(int B, int X, int H, int withX, const float *x, const float *K, const float *R, const float *hp, const float *cp, float *z, float *cn,
                            float *hn, float *tc) {
  int G = 4 * H, parts = tl_threads;
  if (parts > G / NR) parts = G / NR > 1 ? G / NR : 1;
  lstm_small_job j = { B, X, H, withX, x, K, R, hp, z };
  run_parallel(lstm_small_part, &j, parts);
  lstm_cell_fw(B, H, z, cp, cn, hn, tc);
}

/* Kp, Rp (optional): K and R already packed by the host (k_pack), kept between calls: a batched
 * streaming step (T = 1) then skips packing 4H·(X + H) floats on every call. */
void k_lstmForward(int T, int B, int X, int H, int P, const float *x, const float *K, const float *R, const float *bias, const float *Pm,
                          float *hs, float *cs, float *gates, float *tanhc, float *hfull, const float *Kp, const float *Rp) {
  int G = 4 * H, TB = T * B, Rh = Pm ? P : H;
  broadcast_rows(TB, G, bias, gates);
  /* (below ~1 MiB of weights a batch-1 step is faster on one thread than split) */
  int small = !Pm && B < 4 && tl_threads > 1 && (double)G * (X + H) * 4.0 >= 1048576.0;
  if (small && T == 1) {
    lstm_small_step(B, X, H, 1, x, K, R, hs, cs, gates, cs + (size_t)B * H, hs + (size_t)B * H, tanhc);
    return;
  }
  packed_t pk = { Kp, X, G };
  gemm_w(TB, G, X, x, X, Kp && TB >= 4 ? &pk : NULL, K, G, gates, G, 1); /* all input projections at once */
  packed_t pr, *ppr = NULL;
  if (Rp && B >= 4) { pr.p = Rp; pr.K = Rh; pr.N = G; ppr = &pr; }
  else if (PREPACK(T, B)) { pr = prepack(0, Rh, G, R, G); ppr = &pr; }
  for (int t = 0; t < T; t++) {
    float *z = gates + (size_t)t * B * G;
    if (small) {
      size_t sh = (size_t)B * H;
      lstm_small_step(B, X, H, 0, NULL, K, R, hs + t * sh, cs + t * sh, z, cs + (t + 1) * sh, hs + (t + 1) * sh, tanhc ? tanhc + t * sh : NULL);
      continue;
    }
    gemm_w(B, G, Rh, hs + (size_t)t * B * Rh, Rh, ppr, R, G, z, G, 1);
    float *hout = Pm ? hfull + (size_t)t * B * H : hs + (size_t)(t + 1) * B * Rh;
    lstm_cell_fw(B, H, z, cs + (size_t)t * B * H, cs + (size_t)(t + 1) * B * H, hout, tanhc ? tanhc + (size_t)t * B * H : NULL);
    if (Pm) k_gemm(B, P, H, hout, H, Pm, P, hs + (size_t)(t + 1) * B * P, P, 0);
  }
}

ROW lstm_row_bw(int H, const float *restrict gi, const float *restrict gf, const float *restrict gg, const float *restrict go, const float *restrict cp,
                const float *restrict tc, const float *restrict dh, float *restrict dc, float *restrict di, float *restrict df, float *restrict dg,
                float *restrict dO) {
  for (int j = 0; j < H; j++) {
    float i = gi[j], f = gf[j], g = gg[j], o = go[j], t = tc[j], d = dh[j];
    float dcc = dc[j] + d * o * (1 - t * t);
    di[j] = dcc * g * (i * (1 - i));
    df[j] = dcc * cp[j] * (f * (1 - f));
    dg[j] = dcc * i * (1 - g * g);
    dO[j] = d * t * (o * (1 - o));
    dc[j] = dcc * f;
  }
}

static void lstm_cell_bw(int B, int H, const float *gates, const float *cp, const float *tc, const float *dh, float *dc, float *dz) {
  for (int r = 0; r < B; r++) {
    const float *g = gates + (size_t)r * 4 * H;
    float *d = dz + (size_t)r * 4 * H;
    size_t o = (size_t)r * H;
    lstm_row_bw(H, g, g + H, g + 2 * H, g + 3 * H, cp + o, tc + o, dh + o, dc + o, d, d + H, d + 2 * H, d + 3 * H);
  }
}

void k_lstmBackward(int T, int B, int X, int H, int P, const float *x, const float *KT, const float *RT, const float *PmT, const float *hs,
                           const float *cs, const float *gates, const float *tanhc, const float *hfull, const float *dys, const float *dcT, float *dz,
                           float *dh, float *dc, float *dhfull, float *dhs, float *dx, float *dK, float *dR, float *db, float *dPm) {
  int G = 4 * H, TB = T * B, Rh = PmT ? P : H;
  size_t sz = (size_t)B * G, sh = (size_t)B * H, sr = (size_t)B * Rh;
  memcpy(dc, dcT, sh * sizeof(float));
  memcpy(dh, dys + (size_t)(T - 1) * sr, sr * sizeof(float));
  packed_t prt, *pprt = PREPACK(T, B) ? (prt = prepack(0, G, Rh, RT, Rh), &prt) : NULL;
  for (int t = T - 1; t >= 0; t--) {
    float *dzt = dz + (size_t)t * sz;
    float *dhf = dh;
    if (PmT) {
      memcpy(dhs + (size_t)t * sr, dh, sr * sizeof(float));
      k_gemm(B, H, P, dh, P, PmT, H, dhfull, H, 0);
      dhf = dhfull;
    }
    lstm_cell_bw(B, H, gates + (size_t)t * sz, cs + (size_t)t * sh, tanhc + (size_t)t * sh, dhf, dc, dzt);
    if (t > 0) memcpy(dh, dys + (size_t)(t - 1) * sr, sr * sizeof(float));
    else memset(dh, 0, sr * sizeof(float));
    gemm_w(B, Rh, G, dzt, G, pprt, RT, Rh, dh, Rh, 1);
  }
  dense_grads(TB, X, Rh, G, x, hs, dz, KT, dK, dR, db, dx);
  if (PmT) k_gemmTN(TB, H, P, hfull, H, dhs, P, dPm, P, 0);
}

#endif /* RX_X86 */
