/*
 * rxrnn native kernels: exp / sigmoid / tanh, inline in every kernel that uses them (the row loops of
 * each family), so the compiler vectorises them with the loop. Include after avx2.h.
 */
#ifndef RX_ACTIVATIONS_H
#define RX_ACTIVATIONS_H
#ifdef RX_X86

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

#endif /* RX_X86 */
#endif
