/*
 * rxrnn native kernels: included first by every kernel file, so that the rest of the file is
 * compiled for AVX2 + FMA on x86-64 (by pragma, not by a compiler flag: the Node-API glue in
 * addon.c stays plain x86-64 code and can report a CPU without them instead of crashing on it).
 */
#ifndef RX_AVX2_H
#define RX_AVX2_H
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx2,fma")
#include <immintrin.h>
#endif
#include "kernels.h"
#endif
