/*
 * rxrnn native kernels: one attention step (score + masked softmax + context) in one call, for the
 * additive (Bahdanau) and the dot / general (Luong) scores. Forward only: they serve inference
 * (decoding, beam search); training runs the tfjs ops of @rxrnn/attention, the reference.
 *
 *   additive:  e_bs = v · tanh(q_b W + kp_bs + cov_bs w_c)        (kp = U h_s + b, precomputed)
 *   dot:       e_bs = q_b · k_bs                                  (k: the keys, or their projection)
 *   both:      α_b = softmax(e_b where mask_b > 0 else −1e9) ⊙ mask_b;   c_b = Σ_s α_bs h_bs
 *
 * A masked position's score is −1e9 before the softmax (its exponential is exactly 0 in float32) and
 * the weights are multiplied by the mask after it, so a fully masked row gives α = 0 and c = 0: the
 * arithmetic of @rxrnn/attention's `normalise` and `contextOf`. The rows of the batch are split over
 * the threads when the step is large enough to pay for it.
 */
#include "avx2.h" /* (first: the rest of this file is compiled for AVX2 + FMA) */
#include "activations.h"
#ifdef RX_X86

/* Below this many multiply-adds (or tanh evaluations) per call a step runs on one thread. */
#define ATT_PAR_MIN 2.0e5

typedef struct {
  int B, S, A, D, additive;
  const float *qp, *keys, *v, *values, *mask, *cov, *wc;
  float *weights, *context;
} att_job;

/* Masked softmax of e[S] in place (as normalise), then c[D] = Σ_s α_s h_s (as contextOf). */
ROW att_normalise_context(int S, int D, float *restrict e, const float *restrict m, const float *restrict h, float *restrict c) {
  if (m)
    for (int s = 0; s < S; s++) if (!(m[s] > 0.0f)) e[s] = -1e9f;
  float mx = e[0];
  for (int s = 1; s < S; s++) mx = e[s] > mx ? e[s] : mx;
  float sum = 0.0f;
  for (int s = 0; s < S; s++) { e[s] = sexp(e[s] - mx); sum += e[s]; }
  float inv = 1.0f / sum;
  for (int s = 0; s < S; s++) e[s] = e[s] * inv * (m ? m[s] : 1.0f);
  memset(c, 0, (size_t)D * sizeof(float));
  for (int s = 0; s < S; s++) {
    float a = e[s];
    if (a == 0.0f) continue;
    const float *hs = h + (size_t)s * D;
    for (int d = 0; d < D; d++) c[d] += a * hs[d];
  }
}

ROW att_additive_scores(int S, int A, const float *restrict q, const float *restrict kp, const float *restrict v, const float *restrict cov, const float *restrict wc, float *restrict e) {
  for (int s = 0; s < S; s++) {
    const float *k = kp + (size_t)s * A;
    float acc = 0.0f;
    if (cov) {
      float cs = cov[s];
      for (int a = 0; a < A; a++) acc += v[a] * stanh(k[a] + q[a] + cs * wc[a]);
    } else {
      for (int a = 0; a < A; a++) acc += v[a] * stanh(k[a] + q[a]);
    }
    e[s] = acc;
  }
}

ROW att_dot_scores(int S, int A, const float *restrict q, const float *restrict k, float *restrict e) {
  for (int s = 0; s < S; s++) {
    const float *ks = k + (size_t)s * A;
    float acc = 0.0f;
    for (int a = 0; a < A; a++) acc += q[a] * ks[a];
    e[s] = acc;
  }
}

static void att_part(void *p, int part, int parts) {
  att_job *j = p;
  int per = (j->B + parts - 1) / parts;
  int b0 = part * per, b1 = b0 + per < j->B ? b0 + per : j->B;
  for (int b = b0; b < b1; b++) {
    size_t bs = (size_t)b * j->S;
    float *e = j->weights + bs;
    const float *q = j->qp + (size_t)b * j->A, *k = j->keys + bs * j->A;
    if (j->additive) att_additive_scores(j->S, j->A, q, k, j->v, j->cov ? j->cov + bs : NULL, j->wc, e);
    else att_dot_scores(j->S, j->A, q, k, e);
    att_normalise_context(j->S, j->D, e, j->mask ? j->mask + bs : NULL, j->values + bs * j->D, j->context + (size_t)b * j->D);
  }
}

static void att_run(att_job *j) {
  int parts = tl_threads;
  if ((double)j->B * j->S * (j->A + j->D) < ATT_PAR_MIN) parts = 1;
  if (parts > j->B) parts = j->B;
  run_parallel(att_part, j, parts);
}

void k_attendAdditive(int B, int S, int Q, int A, int D, const float *query, const float *W, const float *keysProj, const float *v, const float *values,
                      const float *mask, const float *coverage, const float *wc, float *qp, float *weights, float *context) {
  k_gemm(B, A, Q, query, Q, W, A, qp, A, 0); /* q W [B, A] */
  att_job j = { B, S, A, D, 1, qp, keysProj, v, values, mask, coverage && wc ? coverage : NULL, wc, weights, context };
  att_run(&j);
}

void k_attendDot(int B, int S, int Q, int D, const float *query, const float *keys, const float *values, const float *mask, float *weights, float *context) {
  att_job j = { B, S, Q, D, 0, query, keys, NULL, values, mask, NULL, NULL, weights, context };
  att_run(&j);
}

/* The backward of attendAdditive (no coverage), recomputing tanh from the inputs (nothing saved but α):
 *   dα_bs += Σ_d dc_bd h_bsd;   dh_bsd = α_bs dc_bd
 *   de_bs = mask_bs > 0 ? p_bs (dp_bs − Σ_s' p_bs' dp_bs') : 0,  with p ⊙ m = α and dp = dα ⊙ m
 *   dpre_bsa = de_bs v_a (1 − t_bsa²);  dv_a = Σ_bs de_bs t_bsa;  dkp = dpre;  dqp_ba = Σ_s dpre_bsa
 *   dq = dqp Wᵀ;  dW = qᵀ dqp
 * A masked position's score is a constant (−1e9) in the forward, so its de is 0 (tf.where's gradient).
 * p is recovered from α where the mask is 1 (α = p there); where it is 0, p only meets dp = 0. */
void k_attendAdditiveBackward(int B, int S, int Q, int A, int D, const float *query, const float *W, const float *WT, const float *kp, const float *v, const float *values,
                              const float *mask, const float *weights, const float *dcontext, const float *dweights, float *qp, float *de, float *dqp, float *dquery,
                              float *dW, float *dkp, float *dv, float *dvalues) {
  k_gemm(B, A, Q, query, Q, W, A, qp, A, 0); /* q W [B, A] */
  memset(dv, 0, (size_t)A * sizeof(float));
  memset(dqp, 0, (size_t)B * A * sizeof(float));
  for (int b = 0; b < B; b++) {
    size_t bs = (size_t)b * S;
    const float *al = weights + bs, *m = mask ? mask + bs : NULL, *dc = dcontext + (size_t)b * D, *h = values + bs * D;
    float *e = de + bs;
    float dot = 0.0f;
    for (int s = 0; s < S; s++) {
      const float *hs = h + (size_t)s * D;
      float *dhs = dvalues + (bs + s) * D;
      float acc = dweights ? dweights[bs + s] : 0.0f;
      for (int d = 0; d < D; d++) { acc += dc[d] * hs[d]; dhs[d] = al[s] * dc[d]; }
      float dp = m ? (m[s] > 0.0f ? acc * m[s] : 0.0f) : acc;
      e[s] = dp;
      dot += al[s] * dp; /* (α = p where the mask is 1; masked: dp = 0) */
    }
    for (int s = 0; s < S; s++) e[s] = (m && !(m[s] > 0.0f)) ? 0.0f : al[s] * (e[s] - dot);
    const float *q = qp + (size_t)b * A;
    float *dq = dqp + (size_t)b * A;
    for (int s = 0; s < S; s++) {
      const float *k = kp + (bs + s) * A;
      float *dk = dkp + (bs + s) * A;
      float es = e[s];
      for (int a = 0; a < A; a++) {
        float t = stanh(k[a] + q[a]);
        float g = es * v[a] * (1.0f - t * t);
        dk[a] = g;
        dq[a] += g;
        dv[a] += es * t;
      }
    }
  }
  k_gemm(B, Q, A, dqp, A, WT, Q, dquery, Q, 0);  /* dq = dqp Wᵀ [B, Q] */
  k_gemmTN(B, Q, A, query, Q, dqp, A, dW, A, 0); /* dW = qᵀ dqp [Q, A] */
}

#endif /* RX_X86 */
