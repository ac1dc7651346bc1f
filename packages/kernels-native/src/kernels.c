/*
 * rxrnn native kernels: the fused recurrent kernels of @rxrnn/kernels (assembly/kernels.ts) in C
 * with AVX2 + FMA, as a Node-API addon. Same entry points, same arguments, same memory: the host
 * passes the WebAssembly.Memory buffer of its kernel runtime and byte addresses inside it, so the
 * native and WebAssembly paths share one allocator and one set of resident weights.
 *
 * Differences from the WebAssembly build: 256-bit vectors with fused multiply-add, a 6×16
 * register tile (12 accumulators), and an optional pool of worker threads that splits every large
 * GEMM (and every batch-1 GEMV of a streaming step) by columns. Results agree with the WebAssembly
 * kernels to float rounding (FMA and summation order differ), not bit for bit.
 *
 * Layouts (see assembly/kernels.ts): row-major float32 with explicit leading dimensions; LSTM gate
 * order i, f, g, o; GRU r, z, n; a sequence's states in one buffer hs [(T+1)·B, H] with h0 first.
 */
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>

#define MAX_THREADS 16

#if defined(__x86_64__) && defined(__GNUC__)
#define RX_X86 1
#include <immintrin.h>
#include <cpuid.h>
#endif

/* ------------------------------------------------------------------------------------------ */
/* Thread pool: the caller runs part 0, up to MAX_THREADS-1 workers run the others. Workers spin  */
/* briefly after a job (a streaming step's next GEMV comes microseconds later), then sleep.     */

typedef void (*job_fn)(void *arg, int part, int parts);

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cv = PTHREAD_COND_INITIALIZER;
static atomic_int pool_gen;
static atomic_int pool_done;
static atomic_flag pool_busy = ATOMIC_FLAG_INIT;
static int pool_workers;
static job_fn pool_job;
static void *pool_arg;
static int pool_parts;

static inline void cpu_relax(void) {
#ifdef RX_X86
  __builtin_ia32_pause();
#endif
}

typedef struct { int id; int gen; } worker_start;

static void *worker_main(void *p) {
  worker_start s = *(worker_start *)p;
  free(p);
  int seen = s.gen;
  for (;;) {
    int spins = 0;
    while (atomic_load_explicit(&pool_gen, memory_order_acquire) == seen) {
      if (++spins < 40000) { cpu_relax(); continue; }
      pthread_mutex_lock(&pool_mu);
      while (atomic_load_explicit(&pool_gen, memory_order_acquire) == seen) pthread_cond_wait(&pool_cv, &pool_mu);
      pthread_mutex_unlock(&pool_mu);
    }
    seen++;
    if (s.id < pool_parts) pool_job(pool_arg, s.id, pool_parts);
    atomic_fetch_add_explicit(&pool_done, 1, memory_order_release);
  }
  return NULL;
}

/* Called with pool_busy held. Returns how many parts can run (1 + workers). */
static int ensure_workers(int want) {
  while (pool_workers < want && pool_workers < MAX_THREADS - 1) {
    worker_start *s = malloc(sizeof *s);
    if (!s) break;
    s->id = pool_workers + 1;
    s->gen = atomic_load(&pool_gen);
    pthread_t th;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&th, &at, worker_main, s);
    pthread_attr_destroy(&at);
    if (rc != 0) { free(s); break; }
    pool_workers++;
  }
  return 1 + (pool_workers < want ? pool_workers : want);
}

/* Run job(arg, part, parts) for part = 0 .. parts-1, in parallel when the pool is free. Another JS
 * thread (a worker_threads Worker) holding the pool makes this call run serially instead. Returns
 * the number of parts that ran (1 when serial). */
static int run_parallel(job_fn job, void *arg, int parts) {
  if (parts <= 1 || atomic_flag_test_and_set(&pool_busy)) { job(arg, 0, 1); return 1; }
  parts = ensure_workers(parts - 1);
  if (parts <= 1) { atomic_flag_clear(&pool_busy); job(arg, 0, 1); return 1; }
  pool_job = job;
  pool_arg = arg;
  pool_parts = parts;
  atomic_store_explicit(&pool_done, 0, memory_order_relaxed);
  atomic_fetch_add_explicit(&pool_gen, 1, memory_order_release);
  pthread_mutex_lock(&pool_mu);
  pthread_cond_broadcast(&pool_cv);
  pthread_mutex_unlock(&pool_mu);
  job(arg, 0, parts);
  while (atomic_load_explicit(&pool_done, memory_order_acquire) < pool_workers) cpu_relax();
  atomic_flag_clear(&pool_busy);
  return parts;
}

/* Threads the current call may use (set per call by the host). */
static _Thread_local int tl_threads = 1;

/* Per-thread packing buffers, freed when the thread ends. */
typedef struct { float *a; size_t na; float *b; size_t nb; float *w[2]; size_t nw[2]; } pack_bufs;
static pthread_key_t pack_key;
static pthread_once_t pack_once = PTHREAD_ONCE_INIT;
static void pack_free(void *p) {
  pack_bufs *pb = p;
  free(pb->a);
  free(pb->b);
  free(pb->w[0]);
  free(pb->w[1]);
  free(pb);
}
static void pack_key_init(void) { pthread_key_create(&pack_key, pack_free); }
static pack_bufs *my_bufs(void) {
  pthread_once(&pack_once, pack_key_init);
  pack_bufs *pb = pthread_getspecific(pack_key);
  if (!pb) {
    pb = calloc(1, sizeof *pb);
    pthread_setspecific(pack_key, pb);
  }
  return pb;
}
static float *grow(float **p, size_t *cap, size_t n) {
  if (*cap < n) {
    free(*p);
    size_t bytes = ((n * sizeof(float)) + 63) & ~(size_t)63;
    *p = aligned_alloc(64, bytes);
    *cap = *p ? n : 0;
  }
  return *p;
}

#ifdef RX_X86
#pragma GCC push_options
#pragma GCC target("avx2,fma")

/* ------------------------------------------------------------------------------------------ */
/* exp / sigmoid / tanh: the Cephes expf of the WebAssembly build (range reduction by ln 2, a     */
/* degree-5 polynomial), written as scalar code the compiler vectorises 8-wide.                */

static inline float sexp(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  float n = floorf(x * 1.44269504088896341f + 0.5f);
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float r2 = r * r;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r2 + r + 1.0f;
  int32_t e = ((int32_t)n + 127) << 23;
  float s;
  memcpy(&s, &e, 4);
  return p * s;
}
static inline float ssig(float x) { return 1.0f / (1.0f + sexp(-x)); }
static inline float stanh(float x) {
  float t = sexp(-2.0f * fabsf(x));
  return copysignf((1.0f - t) / (1.0f + t), x);
}

static void k_activate(int n, const float *restrict x, float *restrict y, int act) {
  if (act == 0) for (int i = 0; i < n; i++) y[i] = ssig(x[i]);
  else if (act == 1) for (int i = 0; i < n; i++) y[i] = stanh(x[i]);
  else for (int i = 0; i < n; i++) y[i] = sexp(x[i]);
}

/* ------------------------------------------------------------------------------------------ */
/* GEMM: C[M,N] (+)= op(A)[M,K] · B[K,N], op(A) = A or (transA) the transpose of A stored [K,M].  */
/* Goto-style blocking: a KC×N block of B packed in 16-column panels (each panel 16 KB, in L1),  */
/* an MC×KC block of A packed in 6-row slivers (in L2), a 6×16 register tile with FMA. Rows < 4  */
/* (batch-1 and small-batch steps) stream B once per row instead (memory-bound GEMV).          */
/* Every path gives each entry of C the same arithmetic: c ← fma(a_k, b_kj, c) for k = 0 .. K−1, */
/* starting from C (or 0), whatever the number of rows, the blocking and the split over threads: */
/* a row's result never depends on the other rows of its batch (batching a stream changes none  */
/* of its outputs) nor on the threads.                                                          */

#define KC 256
#define MC 120
#define MR 6
#define NR 16

static void pack_a(int mc, int kc, const float *A, int lda, int trans, float *pa) {
  for (int i = 0; i < mc; i += MR) {
    int mr = mc - i < MR ? mc - i : MR;
    for (int k = 0; k < kc; k++) {
      for (int r = 0; r < MR; r++) pa[r] = r < mr ? (trans ? A[(size_t)k * lda + i + r] : A[(size_t)(i + r) * lda + k]) : 0.0f;
      pa += MR;
    }
  }
}

static void pack_b(int kc, int nc, const float *B, int ldb, float *pb) {
  for (int j = 0; j < nc; j += NR) {
    int nr = nc - j < NR ? nc - j : NR;
    const float *s = B + j;
    for (int k = 0; k < kc; k++, s += ldb, pb += NR) {
      if (nr == NR) {
        _mm256_store_ps(pb, _mm256_loadu_ps(s));
        _mm256_store_ps(pb + 8, _mm256_loadu_ps(s + 8));
      } else {
        for (int r = 0; r < NR; r++) pb[r] = r < nr ? s[r] : 0.0f;
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
static void gemv_row(int n, int K, const float *a, const float *B, int ldb, float *restrict c) {
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
    pack_b(kc, nc, B + (size_t)k0 * ldb + n0, ldb, pb);
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
static void k_gemm(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int acc) {
  gemm_x(M, N, K, A, lda, 0, B, ldb, C, ldc, acc);
}
/* C[K,N] = (acc ? C : 0) + A[M,K]ᵀ · B[M,N] */
static void k_gemmTN(int M, int K, int N, const float *A, int lda, const float *B, int ldb, float *C, int ldc, int acc) {
  gemm_x(K, N, M, A, lda, 1, B, ldb, C, ldc, acc);
}

/* ------------------------------------------------------------------------------------------ */
/* Pre-packed weights. Inside one sequence call the recurrent weights are the same at every step, */
/* so they are packed once into 16-column panels over the full K ([⌈N/16⌉][K][16]) and each step's */
/* small-M GEMM (M = batch) runs the 6×16 tile straight on them, split by panels over the threads. */

typedef struct { const float *p; int K, N; } packed_t;

/* Pack B[K, N] (ld ldb) into slot `slot` of this thread's weight buffers. */
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

static packed_t prepack(int slot, int K, int N, const float *B, int ldb) {
  pack_bufs *bufs = my_bufs();
  float *dst = grow(&bufs->w[slot], &bufs->nw[slot], (size_t)((N + NR - 1) / NR) * NR * K);
  if (!dst) abort();
  pack_panels(K, N, B, ldb, dst);
  packed_t out = { dst, K, N };
  return out;
}

/* The host's copy of a weight matrix kept packed between calls (pack entry point; ⌈N/16⌉·16·K floats). */
static void k_pack(int K, int N, const float *src, int ldb, float *dst) { pack_panels(K, N, src, ldb, dst); }

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
static void gemm_pp(int M, const float *A, int lda, const packed_t *B, float *C, int ldc, int acc) {
  if (!acc)
    for (int i = 0; i < M; i++) memset(C + (size_t)i * ldc, 0, (size_t)B->N * sizeof(float));
  pp_job g = { M, lda, ldc, A, B, C };
  int np = (B->N + NR - 1) / NR;
  int parts = tl_threads;
  if ((double)M * B->N * B->K < PAR_MIN_MACS) parts = 1;
  if (parts > np) parts = np;
  run_parallel(pp_part, &g, parts);
}

/* Pack when a call will reuse the weights over enough steps, with a tile-sized batch. */
#define PREPACK(T, B) ((T) >= 4 && (B) >= 4)

/* C = (acc ? C : 0) + A · W, W either pre-packed (pw) or plain [K, N] (ld ldw). */
static inline void gemm_w(int M, int N, int K, const float *A, int lda, const packed_t *pw, const float *W, int ldw, float *C, int ldc, int acc) {
  if (pw) gemm_pp(M, A, lda, pw, C, ldc, acc);
  else k_gemm(M, N, K, A, lda, W, ldw, C, ldc, acc);
}

static void k_transpose(int R, int Cc, const float *src, float *dst) {
  for (int i0 = 0; i0 < R; i0 += 8)
    for (int j0 = 0; j0 < Cc; j0 += 8)
      for (int i = i0; i < i0 + 8 && i < R; i++)
        for (int j = j0; j < j0 + 8 && j < Cc; j++) dst[(size_t)j * R + i] = src[(size_t)i * Cc + j];
}

static void k_colsum(int M, int N, const float *A, int lda, float *restrict out, int acc) {
  if (!acc) memset(out, 0, (size_t)N * sizeof(float));
  for (int m = 0; m < M; m++) {
    const float *a = A + (size_t)m * lda;
    for (int j = 0; j < N; j++) out[j] += a[j];
  }
}

static void broadcast_rows(int M, int N, const float *v, float *C) {
  for (int i = 0; i < M; i++) memcpy(C + (size_t)i * N, v, (size_t)N * sizeof(float));
}

/* ------------------------------------------------------------------------------------------ */
/* LSTM (gate order i, f, g, o):  z = x K + h R + b;  c' = σ(f)⊙c + σ(i)⊙tanh(g);  h' = σ(o)⊙tanh(c'). */

#define ROW static inline __attribute__((always_inline)) void

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
static void k_lstmForward(int T, int B, int X, int H, int P, const float *x, const float *K, const float *R, const float *bias, const float *Pm,
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

static void k_lstmBackward(int T, int B, int X, int H, int P, const float *x, const float *KT, const float *RT, const float *PmT, const float *hs,
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
  k_gemmTN(TB, X, G, x, X, dz, G, dK, G, 0);
  k_gemmTN(TB, Rh, G, hs, Rh, dz, G, dR, G, 0);
  k_colsum(TB, G, dz, G, db, 0);
  k_gemm(TB, X, G, dz, G, KT, X, dx, X, 0);
  if (PmT) k_gemmTN(TB, H, P, hfull, H, dhs, P, dPm, P, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Peephole / CIFG LSTM (Greff et al. 2017 §II "vanilla", and NP, CIFG), row-vector layout. Blocks */
/* of z = x K + h R + b: i, f, g, o (G = 4H), or with `coupled` (CIFG) i, g, o (G = 3H):          */
/*   i = σ(z_i + p_i ⊙ c_{t−1});  f = σ(z_f + p_f ⊙ c_{t−1}) or 1 − i;  g = tanh(z_g);            */
/*   c_t = f ⊙ c_{t−1} + i ⊙ g;  o = σ(z_o + p_o ⊙ c_t);  h_t = o ⊙ tanh(c_t).                    */
/* Peepholes pi, pf, po [H] are on when pi ≠ NULL (then po too, and pf unless coupled). The row   */
/* functions take `peep`, `coupled`, `keep` as constants, so each combination compiles to its own */
/* branch-free loop.                                                                             */

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
static void k_lstmvForward(int T, int B, int X, int H, int coupled, const float *x, const float *K, const float *R, const float *bias, const float *pi,
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

/* out[N] = Σ_m A[m, :] ⊙ C[m, :] (peephole gradients: dp = Σ_{t,b} dz̄ ⊙ c). */
static void colsum_mul(int M, int N, const float *A, int lda, const float *C, int ldc, float *restrict out) {
  memset(out, 0, (size_t)N * sizeof(float));
  for (int m = 0; m < M; m++) {
    const float *a = A + (size_t)m * lda, *c = C + (size_t)m * ldc;
    for (int j = 0; j < N; j++) out[j] += a[j] * c[j];
  }
}

static void k_lstmvBackward(int T, int B, int X, int H, int coupled, const float *x, const float *KT, const float *RT, const float *pi, const float *pf,
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
  k_gemmTN(TB, X, G, x, X, dz, G, dK, G, 0); /* dK = Xᵀ dZ */
  k_gemmTN(TB, H, G, hs, H, dz, G, dR, G, 0); /* dR = H_{0..T−1}ᵀ dZ */
  k_colsum(TB, G, dz, G, db, 0);
  k_gemm(TB, X, G, dz, G, KT, X, dx, X, 0); /* dX = dZ Kᵀ */
  if (pi) {
    colsum_mul(TB, H, dz, G, cs, H, dpi); /* dp_i = Σ dī ⊙ c_{t−1} */
    if (!coupled) colsum_mul(TB, H, dz + H, G, cs, H, dpf); /* dp_f = Σ df̄ ⊙ c_{t−1} */
    colsum_mul(TB, H, dz + (size_t)(nb - 1) * H, G, cs + sh, H, dpo); /* dp_o = Σ dō ⊙ c_t */
  }
}

/* ------------------------------------------------------------------------------------------ */
/* GRU (gate order r, z, n). Reset-after: n = tanh(x K_n + b_n + r ⊙ (h R_n + b'_n)); reset-before: */
/* n = tanh(x K_n + b_n + (r ⊙ h) R_n); h' = (1 − z) ⊙ n + z ⊙ h. gates [T·B, 3H] receives r, z, n;  */
/* aux [T·B, H] receives h R_n + b'_n (reset-after) or r ⊙ h (reset-before); hz [B, 3H] scratch.  */

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

static void k_gruForward(int T, int B, int X, int H, const float *x, const float *K, const float *R, const float *bias, const float *rbias, int resetAfter,
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

static void k_gruBackward(int T, int B, int X, int H, const float *x, const float *KT, const float *RT, int resetAfter, const float *hs, const float *gates,
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

/* ------------------------------------------------------------------------------------------ */
/* Vanilla RNN: h' = φ(x K + h R + b), φ = tanh (act 0) or relu (act 1).                        */

static void apply_act(int n, float *p, int act) {
  if (act == 0) for (int i = 0; i < n; i++) p[i] = stanh(p[i]);
  else for (int i = 0; i < n; i++) p[i] = p[i] > 0 ? p[i] : 0;
}

static void k_rnnForward(int T, int B, int X, int H, const float *x, const float *K, const float *R, const float *bias, int act, float *hs, const float *Kp,
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

static void k_rnnBackward(int T, int B, int X, int H, const float *x, const float *KT, const float *RT, int act, const float *hs, const float *dys, float *dpre,
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
  k_gemmTN(TB, X, H, x, X, dpre, H, dK, H, 0);
  k_gemmTN(TB, H, H, hs, H, dpre, H, dR, H, 0);
  k_colsum(TB, H, dpre, H, db, 0);
  k_gemm(TB, X, H, dpre, H, KT, X, dx, X, 0);
}

/* Entry point ids: the order of NATIVE_ENTRY_POINTS in @rxrnn/kernels (src/wasm/runtime.ts). */
enum { F_ACTIVATE, F_GEMM, F_GEMMTN, F_TRANSPOSE, F_COLSUM, F_LSTM_FW, F_LSTM_BW, F_GRU_FW, F_GRU_BW, F_RNN_FW, F_RNN_BW, F_PACK, F_LSTMV_FW, F_LSTMV_BW, F_COUNT };
static const int ARGC[F_COUNT] = { 4, 10, 10, 4, 6, 17, 26, 16, 22, 12, 16, 5, 18, 27 };

static void dispatch(char *base, int fn, const uint32_t *a) {
#define I(k) ((int)a[k])
#define F(k) (a[k] ? (float *)(base + a[k]) : NULL)
  switch (fn) {
    case F_ACTIVATE: k_activate(I(0), F(1), F(2), I(3)); break;
    case F_GEMM: k_gemm(I(0), I(1), I(2), F(3), I(4), F(5), I(6), F(7), I(8), I(9)); break;
    case F_GEMMTN: k_gemmTN(I(0), I(1), I(2), F(3), I(4), F(5), I(6), F(7), I(8), I(9)); break;
    case F_TRANSPOSE: k_transpose(I(0), I(1), F(2), F(3)); break;
    case F_COLSUM: k_colsum(I(0), I(1), F(2), I(3), F(4), I(5)); break;
    case F_LSTM_FW: k_lstmForward(I(0), I(1), I(2), I(3), I(4), F(5), F(6), F(7), F(8), F(9), F(10), F(11), F(12), F(13), F(14), F(15), F(16)); break;
    case F_LSTM_BW:
      k_lstmBackward(I(0), I(1), I(2), I(3), I(4), F(5), F(6), F(7), F(8), F(9), F(10), F(11), F(12), F(13), F(14), F(15), F(16), F(17), F(18), F(19),
                     F(20), F(21), F(22), F(23), F(24), F(25));
      break;
    case F_GRU_FW: k_gruForward(I(0), I(1), I(2), I(3), F(4), F(5), F(6), F(7), F(8), I(9), F(10), F(11), F(12), F(13), F(14), F(15)); break;
    case F_GRU_BW:
      k_gruBackward(I(0), I(1), I(2), I(3), F(4), F(5), F(6), I(7), F(8), F(9), F(10), F(11), F(12), F(13), F(14), F(15), F(16), F(17), F(18), F(19),
                    F(20), F(21));
      break;
    case F_RNN_FW: k_rnnForward(I(0), I(1), I(2), I(3), F(4), F(5), F(6), F(7), I(8), F(9), F(10), F(11)); break;
    case F_PACK: k_pack(I(0), I(1), F(2), I(3), F(4)); break;
    case F_RNN_BW: k_rnnBackward(I(0), I(1), I(2), I(3), F(4), F(5), F(6), I(7), F(8), F(9), F(10), F(11), F(12), F(13), F(14), F(15)); break;
    case F_LSTMV_FW:
      k_lstmvForward(I(0), I(1), I(2), I(3), I(4), F(5), F(6), F(7), F(8), F(9), F(10), F(11), F(12), F(13), F(14), F(15), F(16), F(17));
      break;
    case F_LSTMV_BW:
      k_lstmvBackward(I(0), I(1), I(2), I(3), I(4), F(5), F(6), F(7), F(8), F(9), F(10), F(11), F(12), F(13), F(14), F(15), F(16), F(17), F(18), F(19),
                      F(20), F(21), F(22), F(23), F(24), F(25), F(26));
      break;
  }
#undef I
#undef F
}

#pragma GCC pop_options
#endif /* RX_X86 */

/* ------------------------------------------------------------------------------------------ */
/* Node-API glue.                                                                              */

static const char *unsupported_reason(void) {
#ifdef RX_X86
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return "this CPU has no AVX2+FMA";
  return NULL;
#else
  return "built for a CPU other than x86-64 (the native kernels need AVX2+FMA)";
#endif
}

static napi_value throw_error(napi_env env, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

/* run(memory: ArrayBuffer, fn: number, args: number (byte address of uint32 arguments), threads: number) */
static napi_value Run(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4)
    return throw_error(env, "E_RXRNN_ARGUMENT", "rxrnn native run(memory, fn, args, threads): expected 4 arguments");
  void *data = NULL;
  size_t len = 0;
  if (napi_get_arraybuffer_info(env, argv[0], &data, &len) != napi_ok)
    return throw_error(env, "E_RXRNN_ARGUMENT", "rxrnn native run(): argument 'memory' must be an ArrayBuffer (the kernel runtime's WebAssembly.Memory buffer)");
  int32_t fn = -1, args = 0, threads = 1;
  napi_get_value_int32(env, argv[1], &fn);
  napi_get_value_int32(env, argv[2], &args);
  napi_get_value_int32(env, argv[3], &threads);
#ifdef RX_X86
  if (fn < 0 || fn >= F_COUNT) return throw_error(env, "E_RXRNN_ARGUMENT", "rxrnn native run(): argument 'fn' is not a kernel id");
  if (args < 0 || (size_t)args + 4u * (size_t)ARGC[fn] > len)
    return throw_error(env, "E_RXRNN_ARGUMENT", "rxrnn native run(): argument 'args' lies outside the memory");
  tl_threads = threads < 1 ? 1 : (threads > MAX_THREADS ? MAX_THREADS : threads);
  dispatch((char *)data, fn, (const uint32_t *)((char *)data + args));
  return NULL;
#else
  return throw_error(env, "E_RXRNN_UNSUPPORTED", unsupported_reason());
#endif
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value v;
  const char *why = unsupported_reason();
  if (why) {
    napi_create_string_utf8(env, why, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, exports, "unsupported", v);
    return exports;
  }
  napi_create_function(env, "run", NAPI_AUTO_LENGTH, Run, NULL, &v);
  napi_set_named_property(env, exports, "run", v);
  napi_create_string_utf8(env, "avx2+fma", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, exports, "isa", v);
  napi_create_int32(env, MAX_THREADS, &v);
  napi_set_named_property(env, exports, "maxThreads", v);
  return exports;
}
