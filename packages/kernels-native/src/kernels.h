/*
 * rxrnn native kernels: the fused recurrent kernels of @rxrnn/kernels (packages/kernels/assembly) in C
 * with AVX2 + FMA, as a Node-API addon. Same entry points, same arguments, same memory: the host
 * passes the WebAssembly.Memory buffer of its kernel runtime and byte addresses inside it, so the
 * native and WebAssembly paths share one allocator and one set of resident weights.
 *
 * Differences from the WebAssembly build: 256-bit vectors with fused multiply-add, a 6×16
 * register tile (12 accumulators), and an optional pool of worker threads that splits every large
 * GEMM (and every batch-1 GEMV of a streaming step) by columns. Results agree with the WebAssembly
 * kernels to float rounding (FMA and summation order differ), not bit for bit; within this build a
 * row's results depend neither on the other rows of its batch nor on the threads (see gemm.c).
 *
 * Layouts: row-major float32 with explicit leading dimensions; LSTM gate order i, f, g, o; GRU
 * r, z, n; a sequence's states in one buffer hs [(T+1)·B, H] with h0 first.
 *
 * The files, one concern each:
 *   entry-points.h   the entry points' prototypes, ids and dispatch (generated from
 *                    packages/kernels/src/wasm/entry-points.ts)
 *   addon.c          the Node-API glue: run(memory, fn, args, threads)
 *   threads.c        the thread pool and each thread's packing buffers
 *   avx2.h           included first by every kernel file: AVX2 + FMA from there on
 *   activations.h/.c exp, sigmoid, tanh (inline in the row loops), and the activate entry point
 *   gemm.c           GEMM, Aᵀ·B GEMM, the batch-1 GEMV, pre-packed weights
 *   dense.c          transpose, column sums, bias rows
 *   lstm.c, lstm-variant.c, gru.c, rnn.c   each family's step and sequence, forward and backward
 *
 * This header: what the files share (private to the addon).
 */
#ifndef RX_KERNELS_H
#define RX_KERNELS_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <pthread.h>

#define MAX_THREADS 16

#if defined(__x86_64__) && defined(__GNUC__)
#define RX_X86 1
#endif

#include "entry-points.h"

/* ---- threads.c ----------------------------------------------------------------------------- */

typedef void (*job_fn)(void *arg, int part, int parts);

/* Run job(arg, part, parts) for part = 0 .. parts-1, in parallel when the pool is free. Another JS
 * thread (a worker_threads Worker) holding the pool makes this call run serially instead. Returns
 * the number of parts that ran (1 when serial). */
int run_parallel(job_fn job, void *arg, int parts);

/* Threads the current call may use (set per call by the host). */
extern _Thread_local int tl_threads;

/* This thread's packing buffers (A slivers, B panels, two packed weight matrices). */
typedef struct { float *a; size_t na; float *b; size_t nb; float *w[2]; size_t nw[2]; } pack_bufs;
pack_bufs *my_bufs(void);
/* *p with room for n floats (64-byte aligned; reallocated when smaller; NULL when out of memory). */
float *grow(float **p, size_t *cap, size_t n);

/* ---- gemm.c -------------------------------------------------------------------------------- */

/* Columns per panel of the GEMM's register tile (and of the pre-packed weights). */
#define NR 16

/* A weight matrix [K, N] packed in NR-column panels over the full K ([⌈N/NR⌉][K][NR]). */
typedef struct { const float *p; int K, N; } packed_t;

/* c[0..n) += a[0..K) · B[K, n], in the arithmetic of every GEMM path. */
void gemv_row(int n, int K, const float *a, const float *B, int ldb, float *restrict c);
/* B [K, N] packed into slot `slot` (0 or 1) of this thread's weight buffers. */
packed_t prepack(int slot, int K, int N, const float *B, int ldb);
/* C[M, N] = (acc ? C : 0) + A[M, K] · (packed B). */
void gemm_pp(int M, const float *A, int lda, const packed_t *B, float *C, int ldc, int acc);

/* Pack when a call will reuse the weights over enough steps, with a tile-sized batch. */
#define PREPACK(T, B) ((T) >= 4 && (B) >= 4)

/* C = (acc ? C : 0) + A · W, W either pre-packed (pw) or plain [K, N] (ld ldw). */
static inline void gemm_w(int M, int N, int K, const float *A, int lda, const packed_t *pw, const float *W, int ldw, float *C, int ldc, int acc) {
  if (pw) gemm_pp(M, A, lda, pw, C, ldc, acc);
  else k_gemm(M, N, K, A, lda, W, ldw, C, ldc, acc);
}

/* ---- dense.c ------------------------------------------------------------------------------- */

/* Copy the row vector v[N] into each of the M rows of C (ld N). */
void broadcast_rows(int M, int N, const float *v, float *C);
/* out[N] = Σ_m A[m, :] ⊙ C[m, :] (peephole gradients: dp = Σ_{t,b} dz̄ ⊙ c). */
void colsum_mul(int M, int N, const float *A, int lda, const float *C, int ldc, float *restrict out);
/* dK = xᵀ dz, dR = hᵀ dz, db = Σ dz, dx = dz Kᵀ: the gradients of z = x K + h R + b over TB rows. */
void dense_grads(int TB, int X, int Hr, int G, const float *x, const float *h, const float *dz, const float *KT, float *dK, float *dR, float *db, float *dx);

/* ---- the families -------------------------------------------------------------------------- */

/* A row function: inlined into each caller, with its constant flags folded into a loop per case. */
#define ROW static inline __attribute__((always_inline)) void

#endif
