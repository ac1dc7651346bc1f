// Fused cells (streaming steps)
export { fuseCell, fusedLstmCell, fusedGruCell, fusedRnnCell, isFused } from './fuse-cell.js';
export type { FusedCell } from './fuse-cell.js';
// Whole sequences (training), differentiable through tf.customGrad
export { lstmSequence, lstmSequenceTfjs } from './lstm/lstm-fused.js';
export type { LstmSequenceParams, LstmSequenceResult } from './lstm/lstm-fused.js';
export { gruSequence, gruSequenceTfjs } from './gru/gru-fused.js';
export type { GruSequenceParams, GruSequenceOptions, GruSequenceResult } from './gru/gru-fused.js';
export { rnnSequence, rnnSequenceTfjs } from './rnn/rnn-fused.js';
export type { RnnSequenceParams, RnnSequenceOptions, RnnSequenceResult, FusedRnnActivation } from './rnn/rnn-fused.js';
export { lstmVariantSequence, lstmVariantSequenceTfjs, FUSED_LSTM_VARIANTS } from './lstm-variant/lstm-variant-fused.js';
export type { LstmVariantSequenceParams, LstmVariantSequenceOptions, LstmVariantSequenceResult, FusedLstmVariant } from './lstm-variant/lstm-variant-fused.js';
// A dense layer over many rows (x W + b), differentiable
export { affine } from './dense/affine.js';
// The runtime (WebAssembly, or the native addon when built)
export {
  kernels,
  loadKernels,
  relaxedSimdSupported,
  kernelsWasmFile,
  kernelsUnavailableReason,
  kernelsEnabled,
  setKernelsEnabled,
  withKernels,
  kernelsInfo,
  setKernelThreads,
  kernelThreads,
  setNativeKernels,
  withNativeKernels,
  KernelRuntime,
} from './wasm/runtime.js';
export type { KernelExports, KernelsInfo, KernelRuntimeOptions, NativeKernels } from './wasm/runtime.js';
// Any cell over a whole sequence (fused when covered, else the unrolled tfjs step)
export { runSequence } from './run-sequence.js';
export type { RunSequenceResult } from './run-sequence.js';
