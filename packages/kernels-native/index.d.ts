/** The native kernels addon (see src/kernels.h). */
export interface NativeKernels {
  /**
   * Run kernel `fn` (an index into the entry-point list of @rxrnn/kernels) on `memory`, the
   * buffer of the kernel runtime's WebAssembly.Memory, with its uint32 arguments stored at byte
   * address `args`, using up to `threads` threads.
   */
  run(memory: ArrayBuffer, fn: number, args: number, threads: number): void;
  /** The instruction set the kernels were built for ("avx2+fma"). */
  readonly isa: string;
  /** Most threads one call can use. */
  readonly maxThreads: number;
}
/** The addon, or null when it is not built or this CPU cannot run it. */
export declare const native: NativeKernels | null;
/** Why {@link native} is null. */
export declare const reason: string | null;
