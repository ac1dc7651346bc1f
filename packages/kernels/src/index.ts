// The runtime (WebAssembly, or the native addon when built): loading, memory, the raw entry points
export {
  kernels,
  loadKernels,
  resolveKernelsConfig,
  relaxedSimdSupported,
  kernelsWasmFile,
  kernelsUnavailableReason,
  kernelsInfo,
  kernelExp,
  KernelRuntime,
  Resident,
} from './wasm/runtime.js';
export type { KernelExports, KernelsConfig, KernelsInfo, KernelRuntimeOptions, NativeKernels } from './wasm/runtime.js';
// Building blocks of differentiable ops on the kernels: resident weights, reserve space, tape nodes
export { tapeOn, checkTensor, runtimeOf, residentFor, floatValues, tensorAt, Reserve, multiOutputOp, forwardOn, addLastStep } from './shared.js';
export type { KernelsChoice, MultiOutputForward } from './shared.js';
// A dense layer over many rows (x W + b), differentiable
export { affine } from './dense/affine.js';
export type { AffineOptions } from './dense/affine.js';
// One attention step (score + masked softmax + context) in one call, for inference
export { attendAdditive, attendDot } from './attention/attend.js';
export type { AttendKernelOptions, AttendAdditiveOptions, AttendKernelResult } from './attention/attend.js';
