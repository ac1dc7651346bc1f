/*
 * rxrnn native kernels: the activate entry point (the vectorised exp, sigmoid and tanh on an array).
 */
#include "avx2.h" /* (first: the rest of this file is compiled for AVX2 + FMA) */
#include "activations.h"
#ifdef RX_X86

void k_activate(int n, const float *restrict x, float *restrict y, int act) {
  if (act == 0) for (int i = 0; i < n; i++) y[i] = ssig(x[i]);
  else if (act == 1) for (int i = 0; i < n; i++) y[i] = stanh(x[i]);
  else for (int i = 0; i < n; i++) y[i] = sexp(x[i]);
}

#endif /* RX_X86 */
