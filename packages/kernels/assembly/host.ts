// rxrnn kernels (AssemblyScript): what the host (src/wasm/runtime.ts) asks the module about itself.

/** 1 in the relaxed-SIMD build (kernels-relaxed.wasm), 0 in the 128-bit SIMD one. */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

/** First byte the host may use (after the module's static data), 64-byte aligned. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~63;
}
