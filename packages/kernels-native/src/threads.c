/*
 * rxrnn native kernels: the thread pool and each thread's packing buffers.
 *
 * Thread pool: the caller runs part 0, up to MAX_THREADS-1 workers run the others. Workers spin
 * briefly after a job (a streaming step's next GEMV comes microseconds later), then sleep.
 * (Plain C for every CPU: nothing here runs before the addon has checked for AVX2 + FMA.)
 */
#include "kernels.h"
#include <stdatomic.h>

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
int run_parallel(job_fn job, void *arg, int parts) {
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
_Thread_local int tl_threads = 1;

/* Per-thread packing buffers, freed when the thread ends. */
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
pack_bufs *my_bufs(void) {
  pthread_once(&pack_once, pack_key_init);
  pack_bufs *pb = pthread_getspecific(pack_key);
  if (!pb) {
    pb = calloc(1, sizeof *pb);
    pthread_setspecific(pack_key, pb);
  }
  return pb;
}
float *grow(float **p, size_t *cap, size_t n) {
  if (*cap < n) {
    free(*p);
    size_t bytes = ((n * sizeof(float)) + 63) & ~(size_t)63;
    *p = aligned_alloc(64, bytes);
    *cap = *p ? n : 0;
  }
  return *p;
}
