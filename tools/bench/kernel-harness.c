/*
 * The native kernels timed without Node: a C program linked with the kernel files of
 * packages/kernels-native/src (all but its Node-API glue, addon.c) that times, on 1 and 2 threads of its pool,
 *   - the LSTM sequence kernels at the bench's training shape (T = 100, B = 32, X = 64, H = 256):
 *     forward and backward (BPTT with the weight gradients), ms per call;
 *   - one batch-1 step at H = X = 512 of the LSTM, GRU (reset-after) and RNN: median of 3,000 calls, µs.
 * Set against the same calls timed inside Node, this separates the kernels from what is around them
 * (tools/bench/results/gc-pressure-2026-11-26.md, step-latency-2026-11-26.md).
 *
 *     K=packages/kernels-native/src
 *     gcc -O3 -std=gnu11 -fno-math-errno -fno-trapping-math -pthread -I$K tools/bench/kernel-harness.c \
 *       $(ls $K/*.c | grep -v addon.c) -o /tmp/kernel-harness -lm && /tmp/kernel-harness
 */
#include "../../packages/kernels-native/src/kernels.h"
#include <stdio.h>
#include <time.h>

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}
static float *rnd(size_t n, float s) {
  float *p = aligned_alloc(64, (n * 4 + 63) / 64 * 64);
  for (size_t i = 0; i < n; i++) p[i] = s * ((rand() / (float)RAND_MAX) - 0.5f);
  return p;
}
static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

enum { STEPS = 3000 };
static double ts[STEPS];
typedef void (*step_fn)(void *);
static double median_us(step_fn f, void *arg) {
  for (int i = 0; i < 300; i++) f(arg);
  for (int i = 0; i < STEPS; i++) {
    double t0 = now_us();
    f(arg);
    ts[i] = now_us() - t0;
  }
  qsort(ts, STEPS, sizeof(double), cmp);
  return ts[STEPS / 2];
}

typedef struct { int X, H; float *x, *K, *R, *b, *rb, *hs, *cs, *gates, *aux, *hz; } step_args;
static void lstm_step(void *p) {
  step_args *a = p;
  k_lstmForward(1, 1, a->X, a->H, 0, a->x, a->K, a->R, a->b, NULL, a->hs, a->cs, a->gates, NULL, NULL, NULL, NULL);
}
static void gru_step(void *p) {
  step_args *a = p;
  k_gruForward(1, 1, a->X, a->H, a->x, a->K, a->R, a->b, a->rb, 1, a->hs, a->gates, a->aux, a->hz, NULL, NULL);
}
static void rnn_step(void *p) {
  step_args *a = p;
  k_rnnForward(1, 1, a->X, a->H, a->x, a->K, a->R, a->b, 0, a->hs, NULL, NULL);
}

int main(void) {
  /* the sequence kernels at the training shape */
  int T = 100, B = 32, X = 64, H = 256, G = 4 * H, TB = T * B, reps = 10;
  float *x = rnd((size_t)TB * X, 1), *K = rnd((size_t)X * G, 0.1f), *R = rnd((size_t)H * G, 0.1f), *b = rnd(G, 0.1f);
  float *hs = rnd((size_t)(T + 1) * B * H, 0.5f), *cs = rnd((size_t)(T + 1) * B * H, 0.5f), *gates = rnd((size_t)TB * G, 1), *tc = rnd((size_t)TB * H, 1);
  float *KT = rnd((size_t)G * X, 0.1f), *RT = rnd((size_t)G * H, 0.1f), *dys = rnd((size_t)TB * H, 0.1f), *dcT = rnd((size_t)B * H, 0.1f);
  float *dz = rnd((size_t)TB * G, 1), *dh = rnd((size_t)B * H, 1), *dc = rnd((size_t)B * H, 1), *dx = rnd((size_t)TB * X, 1);
  float *dK = rnd((size_t)X * G, 1), *dR = rnd((size_t)H * G, 1), *db = rnd(G, 1);
  printf("LSTM sequence T=%d B=%d X=%d H=%d, ms per call (mean of %d), three rounds:\n", T, B, X, H, reps);
  for (int th = 1; th <= 2; th++) {
    tl_threads = th;
    for (int round = 0; round < 3; round++) {
      double t0 = now_us();
      for (int r = 0; r < reps; r++) k_lstmForward(T, B, X, H, 0, x, K, R, b, NULL, hs, cs, gates, tc, NULL, NULL, NULL);
      double fw = (now_us() - t0) / reps / 1e3;
      t0 = now_us();
      for (int r = 0; r < reps; r++)
        k_lstmBackward(T, B, X, H, 0, x, KT, RT, NULL, hs, cs, gates, tc, NULL, dys, dcT, dz, dh, dc, NULL, NULL, dx, dK, dR, db, NULL);
      double bw = (now_us() - t0) / reps / 1e3;
      printf("  %d thread%s: forward %.1f ms, backward %.1f ms\n", th, th > 1 ? "s" : "", fw, bw);
    }
  }
  /* batch-1 steps at H = X = 512 */
  int S = 512;
  step_args a = { S, S, rnd(S, 1), rnd((size_t)S * 4 * S, 0.1f), rnd((size_t)S * 4 * S, 0.1f), rnd(4 * S, 0.1f), rnd(4 * S, 0.1f),
                  rnd(2 * S, 1), rnd(2 * S, 1), rnd(4 * S, 1), rnd(S, 1), rnd(4 * S, 1) };
  printf("batch-1 steps H=X=%d, median µs of %d calls:\n", S, STEPS);
  for (int th = 1; th <= 2; th++) {
    tl_threads = th;
    for (int round = 0; round < 2; round++)
      printf("  %d thread%s: LSTM %.1f, GRU %.1f, RNN %.1f\n", th, th > 1 ? "s" : "", median_us(lstm_step, &a), median_us(gru_step, &a), median_us(rnn_step, &a));
  }
  return 0;
}
