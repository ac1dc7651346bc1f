/* How much both vCPUs give on this machine: the same AVX2+FMA loop (8 independent accumulators, no
 * memory traffic) on one thread, then on two at once. If two threads take longer than one, the two
 * vCPUs share execution resources (SMT siblings or an oversubscribed host), and no two-thread program
 * can reach 2x. Measured 2026-11-26: at 05:55, 4.0 s on one thread and 5.0 s for two (1.24x); at
 * 07:19, quiet host, 2.0-2.3 s and 2.1-2.3 s (1.0-1.15x, three runs). So the host's load varies, and
 * on a quiet host arithmetic alone scales to ~2x: the ~1.35x slowdown of two training halves run
 * side by side (93 ms alone, 121-127 ms together in stop 9's CPU profiles) likely comes from shared
 * memory traffic, not from the cores' arithmetic.
 *
 *     gcc -O2 -mavx2 -mfma -pthread tools/bench/fma-ceiling.c -o /tmp/fma-ceiling && /tmp/fma-ceiling 1 && /tmp/fma-ceiling 2
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *run(void *out) {
  __m256 a[8];
  for (int i = 0; i < 8; i++) a[i] = _mm256_set1_ps(1.0f + i * 1e-3f);
  const __m256 b = _mm256_set1_ps(0.9999f), c = _mm256_set1_ps(1e-4f);
  for (long k = 0; k < 400000000L; k++)
    for (int i = 0; i < 8; i++) a[i] = _mm256_fmadd_ps(a[i], b, c);
  float s = 0;
  for (int i = 0; i < 8; i++) s += a[i][0];
  *(float *)out = s; /* keep the result live */
  return NULL;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1;
  if (n < 1 || n > 4) n = 1;
  pthread_t th[4];
  float r[4];
  double t0 = now();
  for (int i = 0; i < n; i++) pthread_create(&th[i], NULL, run, &r[i]);
  for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
  printf("%d thread(s), 400M x 8 FMAs each: %.2f s\n", n, now() - t0);
  return 0;
}
