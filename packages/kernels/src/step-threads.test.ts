// Threads per native call: a single step (T = 1) of fewer than 4 rows, the call a stream stepping
// alone waits for, runs on the runtime's step threads (default 1); every other call on its threads.
// Checked on the calls the runtime hands to the addon, through a recording stand-in for it.
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { KernelRuntime, type NativeKernels } from './index.js';

const module = new WebAssembly.Module(readFileSync(new URL('../wasm/kernels.wasm', import.meta.url)));

/** A runtime whose native calls only record the threads they were given. */
function recording(options: { threads?: number; stepThreads?: number } = {}) {
  const calls: number[] = [];
  const native: NativeKernels = { isa: 'test', maxThreads: 8, run: (_m, _fn, _args, threads) => void calls.push(threads) };
  return { rt: new KernelRuntime(module, { native, ...options }), calls };
}

describe('step threads', () => {
  it('a single step of fewer than 4 rows runs on the step threads; longer or wider calls on the threads', () => {
    const { rt, calls } = recording({ threads: 4, stepThreads: 1 });
    const f = (T: number, B: number) => rt.k.lstmForward(T, B, 3, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    f(1, 1);
    f(1, 3);
    f(1, 4);
    f(2, 1);
    rt.k.gruForward(1, 2, 3, 5, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0);
    rt.k.rnnBackward(1, 1, 3, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    rt.k.gemm(1, 8, 8, 0, 8, 0, 8, 0, 8, 0); // (not over steps: the threads)
    expect(calls).toEqual([1, 1, 4, 4, 1, 1, 4]);
  });

  it('defaults to 1 (RXRNN_KERNEL_STEP_THREADS unset), is capped by the threads, and is reported', () => {
    const was = process.env.RXRNN_KERNEL_STEP_THREADS;
    delete process.env.RXRNN_KERNEL_STEP_THREADS;
    try {
      const { rt, calls } = recording({ threads: 2 });
      expect(rt.stepThreads).toBe(1);
      expect(rt.info().stepThreads).toBe(1);
      rt.setStepThreads(3);
      expect(rt.info()).toMatchObject({ threads: 2, stepThreads: 2 });
      rt.k.rnnForward(1, 1, 3, 5, 0, 0, 0, 0, 0, 0);
      expect(calls).toEqual([2]);
      process.env.RXRNN_KERNEL_STEP_THREADS = '2';
      expect(recording({ threads: 4 }).rt.stepThreads).toBe(2);
    } finally {
      if (was === undefined) delete process.env.RXRNN_KERNEL_STEP_THREADS;
      else process.env.RXRNN_KERNEL_STEP_THREADS = was;
    }
  });

  it('rejects a step-thread count that is not an integer ≥ 1, with a typed error', () => {
    const { rt } = recording();
    expect(() => rt.setStepThreads(0)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => recording({ stepThreads: 1.5 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });

  it('WebAssembly reports one step thread', () => {
    const rt = new KernelRuntime(module);
    rt.setStepThreads(4);
    expect(rt.info().stepThreads).toBe(1);
  });
});
