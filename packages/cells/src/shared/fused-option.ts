/** The `fused` option of the cells that have a fused path (rnn, lstm, gru). */
import type { KernelsConfig } from '@rxrnn/kernels';

export interface FusedOption {
  /**
   * Step (and run whole chunks, in training) on the fused kernels of @rxrnn/kernels (native, else
   * WebAssembly) when they cover this configuration — same parameters, same numbers within float32
   * round-off. Default true; `false` keeps the plain tfjs step (so does `RXRNN_KERNELS=off`); a
   * kernels config picks the kernels (`{ native: false }`: WebAssembly).
   */
  fused?: boolean | KernelsConfig;
}
