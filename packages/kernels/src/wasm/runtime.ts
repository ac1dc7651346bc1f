/**
 * The runtime of @rxrnn/kernels: loads `wasm/kernels.wasm` (built from `assembly/kernels.ts`), owns
 * its linear memory with a small first-fit allocator, and keeps weights resident there between
 * calls (re-uploaded only when the tf.Variable's data changes).
 *
 * In Node the module is read synchronously from the package on first use; elsewhere call
 * {@link loadKernels} with the bytes first. When WebAssembly SIMD is unavailable, {@link kernels}
 * returns null and every fused entry point falls back to tfjs.
 *
 * In Node, when the optional `@rxrnn/kernels-native` addon is built (AVX2 + FMA, C), its entry
 * points replace the WebAssembly ones: same arguments, same memory (the addon works on this
 * memory's buffer), several threads per call.
 *
 * Which runtime a caller gets is an explicit {@link KernelsConfig} (`kernels({ native: false })`),
 * whose defaults come from the environment, read at each look-up: `RXRNN_KERNELS=off` (no kernels),
 * `RXRNN_NATIVE=off` (WebAssembly even where the addon is built). Threads per native call belong to
 * the runtime ({@link KernelRuntime.setThreads}; default `RXRNN_KERNEL_THREADS`, else the CPUs up to 4);
 * a single step of fewer than 4 rows (a stream stepping alone, latency-bound) has its own, smaller
 * default ({@link KernelRuntime.setStepThreads}; `RXRNN_KERNEL_STEP_THREADS`, else 1).
 * Nothing else is global: the module only caches what it loaded.
 */
import type * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, tensorValues, type ExpKernel } from '@rxrnn/core';
import { NATIVE_ENTRY_POINTS, MAX_ENTRY_ARGS, type KernelExports } from './kernel-exports.js';
import { ENTRY_POINTS } from './entry-points.js';

export type { KernelExports } from './kernel-exports.js';

const ALIGN = 64;
const PAGE = 65536;

const NATIVE_MAX_ARGS = MAX_ENTRY_ARGS;

/** The native addon's interface (@rxrnn/kernels-native). */
export interface NativeKernels {
  run(memory: ArrayBuffer, fn: number, args: number, threads: number): void;
  readonly isa: string;
  readonly maxThreads: number;
}

/** Which kernels a runtime runs, on how many threads. */
export interface KernelsInfo {
  /** 'native' (the C addon) or 'wasm' (WebAssembly SIMD). */
  backend: 'native' | 'wasm';
  /** 'avx2+fma' (native), 'wasm-relaxed-simd' (kernels-relaxed.wasm) or 'wasm-simd128' (kernels.wasm). */
  isa: string;
  /** Threads a kernel call may use (always 1 for WebAssembly). */
  threads: number;
  /** Threads a single step (T = 1) of fewer than 4 rows may use (at most `threads`). */
  stepThreads: number;
  /** Why the native kernels are not used, when they are not. */
  nativeUnavailable: string | null;
}

export interface KernelRuntimeOptions {
  /** Run these native kernels on the module's memory instead of the WebAssembly code. */
  native?: NativeKernels | null;
  /** Why `native` is absent (reported by {@link KernelRuntime.info}). */
  nativeUnavailable?: string | null;
  /**
   * Threads each native call may use. Default `RXRNN_KERNEL_THREADS`, else the CPUs (at most 4) on
   * Node's main thread and 1 in a worker thread. WebAssembly always runs on one.
   */
  threads?: number;
  /**
   * Threads a single step (T = 1) of fewer than 4 rows may use: a stream stepping alone, which waits
   * for each step. Default `RXRNN_KERNEL_STEP_THREADS`, else 1: handing a GEMV of a few MiB to a second
   * thread saves less than the hand-off and the waiting worker cost a server on a small machine (the
   * char-rnn's generation: ~0.2 ms per character on one thread, ~2 ms on two, tools/bench/results/
   * load-generate-2026-12-02.md). Capped by `threads`.
   */
  stepThreads?: number;
}

/**
 * Which kernels to use, passed where kernels are looked up ({@link kernels}, `fuseCell`, the
 * sequence functions of @rxrnn/cells, `decodeModel(…, { fused })`). Unset fields come from the
 * environment, read at each look-up.
 */
export interface KernelsConfig {
  /** Use the fused kernels at all. Default true, unless `RXRNN_KERNELS=off` (or 0, false, no). */
  enabled?: boolean;
  /** Prefer the native addon where it is built. Default true, unless `RXRNN_NATIVE=off` (or 0, false, no). */
  native?: boolean;
}

/** A loaded kernel module and its memory. */
export class KernelRuntime {
  readonly k: KernelExports;
  private top: number;
  private readonly sizes = new Map<number, number>();
  private free: { ptr: number; size: number }[] = [];
  private view: Float32Array;
  private readonly native: NativeKernels | null;
  private readonly nativeUnavailable: string | null;
  private nThreads: number;
  private nStepThreads: number;

  constructor(module: WebAssembly.Module, options: KernelRuntimeOptions = {}) {
    const instance = new WebAssembly.Instance(module, {});
    const wasm = instance.exports as unknown as KernelExports;
    this.top = wasm.heapBase();
    this.native = options.native ?? null;
    this.nativeUnavailable = this.native ? null : (options.nativeUnavailable ?? null);
    this.nThreads = this.native ? checkThreads('KernelRuntime', 'options.threads', options.threads ?? defaultThreads()) : 1;
    this.nStepThreads = this.native ? checkThreads('KernelRuntime', 'options.stepThreads', options.stepThreads ?? defaultStepThreads()) : 1;
    this.k = this.native ? nativeExports(wasm, this.native, this.top, () => this.nThreads, () => Math.min(this.nStepThreads, this.nThreads)) : wasm;
    if (this.native) this.top += ALIGN * Math.ceil((NATIVE_MAX_ARGS * 4) / ALIGN); // the argument block
    this.view = new Float32Array(this.k.memory.buffer);
  }

  /** Which kernels this runtime runs. */
  info(): KernelsInfo {
    return this.native
      ? { backend: 'native', isa: this.native.isa, threads: this.nThreads, stepThreads: Math.min(this.nStepThreads, this.nThreads), nativeUnavailable: null }
      : { backend: 'wasm', isa: this.k.relaxedSimd?.() ? 'wasm-relaxed-simd' : 'wasm-simd128', threads: 1, stepThreads: 1, nativeUnavailable: this.nativeUnavailable };
  }

  /** Threads each kernel call may use (always 1 on WebAssembly). */
  get threads(): number {
    return this.nThreads;
  }

  /**
   * Let each native kernel call use `n` threads from now on (every cell and sequence on this
   * runtime). WebAssembly runs on one whatever `n` is.
   */
  setThreads(n: number): void {
    const t = checkThreads('KernelRuntime.setThreads', 'n', n);
    if (this.native) this.nThreads = t;
  }

  /** Threads a single step (T = 1) of fewer than 4 rows may use, before the cap by {@link threads}. */
  get stepThreads(): number {
    return this.nStepThreads;
  }

  /**
   * Let a single step (T = 1) of fewer than 4 rows use up to `n` threads from now on (capped by
   * {@link threads}). WebAssembly runs on one whatever `n` is.
   */
  setStepThreads(n: number): void {
    const t = checkThreads('KernelRuntime.setStepThreads', 'n', n);
    if (this.native) this.nStepThreads = t;
  }

  /** A Float32Array over the whole memory (renewed after the memory grows). */
  f32(): Float32Array {
    if (this.view.buffer !== this.k.memory.buffer) this.view = new Float32Array(this.k.memory.buffer);
    return this.view;
  }

  /** Allocate room for `n` floats; returns a byte address, 64-byte aligned. */
  alloc(n: number): number {
    const size = Math.max(ALIGN, Math.ceil((n * 4) / ALIGN) * ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const blk = this.free[i];
      if (blk.size >= size) {
        const ptr = blk.ptr;
        if (blk.size === size) this.free.splice(i, 1);
        else this.free[i] = { ptr: ptr + size, size: blk.size - size };
        this.sizes.set(ptr, size);
        return ptr;
      }
    }
    const ptr = this.top;
    this.top += size;
    const need = this.top - this.k.memory.buffer.byteLength;
    if (need > 0) this.k.memory.grow(Math.ceil(need / PAGE));
    this.sizes.set(ptr, size);
    return ptr;
  }

  /** Return a block from {@link alloc}. */
  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) return;
    this.sizes.delete(ptr);
    let i = 0;
    while (i < this.free.length && this.free[i].ptr < ptr) i++;
    this.free.splice(i, 0, { ptr, size });
    // coalesce with the next and previous blocks
    if (i + 1 < this.free.length && this.free[i].ptr + this.free[i].size === this.free[i + 1].ptr) {
      this.free[i].size += this.free[i + 1].size;
      this.free.splice(i + 1, 1);
    }
    if (i > 0 && this.free[i - 1].ptr + this.free[i - 1].size === this.free[i].ptr) {
      this.free[i - 1].size += this.free[i].size;
      this.free.splice(i, 1);
    }
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.size === this.top) {
      this.top = last.ptr;
      this.free.pop();
    }
  }

  /** Bytes handed out and not yet released (for leak tests). */
  bytesInUse(): number {
    let n = 0;
    for (const s of this.sizes.values()) n += s;
    return n;
  }

  /** Allocate `counts[i]` floats each, run `fn(ptrs)`, and release them whatever happens. */
  scratch<T>(counts: number[], fn: (ptrs: number[]) => T): T {
    const ptrs = counts.map((n) => this.alloc(n));
    try {
      return fn(ptrs);
    } finally {
      for (let i = ptrs.length - 1; i >= 0; i--) this.release(ptrs[i]);
    }
  }

  /** Copy `data` to address `ptr`. */
  write(ptr: number, data: ArrayLike<number>): void {
    this.f32().set(data, ptr >>> 2);
  }

  /** A fresh copy of `n` floats at `ptr`. */
  read(ptr: number, n: number): Float32Array {
    return this.f32().slice(ptr >>> 2, (ptr >>> 2) + n);
  }

  /** Set `n` floats at `ptr` to zero. */
  zero(ptr: number, n: number): void {
    this.f32().fill(0, ptr >>> 2, (ptr >>> 2) + n);
  }
}

/**
 * The WebAssembly exports with the compute entry points replaced by calls into the native addon:
 * the arguments are written as uint32 into a block at `argPtr` in the same memory, then
 * `run(memory.buffer, id, argPtr, threads)` (the buffer is read per call: it changes when the
 * memory grows). Entry points over T steps of B rows (their signatures begin `int T, int B`) run a
 * single step of fewer than 4 rows on `stepThreads()`, every other call on `threads()`.
 */
function nativeExports(wasm: KernelExports, native: NativeKernels, argPtr: number, threads: () => number, stepThreads: () => number): KernelExports {
  const memory = wasm.memory;
  let args = new Uint32Array(memory.buffer, argPtr, NATIVE_MAX_ARGS);
  const k: Record<string, unknown> = { memory, heapBase: () => wasm.heapBase() };
  NATIVE_ENTRY_POINTS.forEach((name, id) => {
    const overSteps = /^int T, int B,/.test(ENTRY_POINTS.find((e) => e.name === name)?.signature ?? '');
    k[name] = (...a: number[]): void => {
      const buffer = memory.buffer;
      if (args.buffer !== buffer) args = new Uint32Array(buffer, argPtr, NATIVE_MAX_ARGS);
      for (let i = 0; i < a.length; i++) args[i] = a[i] ?? 0;
      args.fill(0, a.length); // (optional trailing arguments read as 0, never as a previous call's)
      native.run(buffer, id, argPtr, overSteps && a[0] === 1 && a[1] < 4 ? stepThreads() : threads());
    };
  });
  return k as unknown as KernelExports;
}

type NodeProcess = {
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
};
const nodeProcess = (): NodeProcess | undefined => (globalThis as { process?: NodeProcess }).process;

/** Default threads per native call: `RXRNN_KERNEL_THREADS`, else the CPUs (at most 4) on Node's main thread, 1 in a Worker. */
function defaultThreads(): number {
  const fromEnv = Number(nodeProcess()?.env?.RXRNN_KERNEL_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  const p = nodeProcess();
  const os = p?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
  const wt = p?.getBuiltinModule?.('node:worker_threads') as { isMainThread?: boolean } | undefined;
  if (wt && wt.isMainThread === false) return 1;
  return Math.max(1, Math.min(4, os?.availableParallelism?.() ?? 1));
}

/** Default threads of a single small step: `RXRNN_KERNEL_STEP_THREADS`, else 1. */
function defaultStepThreads(): number {
  const fromEnv = Number(nodeProcess()?.env?.RXRNN_KERNEL_STEP_THREADS);
  return Number.isInteger(fromEnv) && fromEnv >= 1 ? fromEnv : 1;
}

function checkThreads(fn: string, arg: string, n: unknown): number {
  if (!(typeof n === 'number' && Number.isInteger(n) && n >= 1)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, arg, 'an integer ≥ 1', describe(n));
  return n;
}

const envOff = (name: string): boolean => /^(0|off|false|no)$/i.test(nodeProcess()?.env?.[name] ?? '');

/** `config` with its unset fields from the environment (see {@link KernelsConfig}). */
export function resolveKernelsConfig(config: KernelsConfig = {}, fn = 'kernels'): Required<KernelsConfig> {
  if (config === null || typeof config !== 'object') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'config', 'a kernels config ({ enabled?, native? })', describe(config));
  return { enabled: config.enabled ?? !envOff('RXRNN_KERNELS'), native: config.native ?? !envOff('RXRNN_NATIVE') };
}

/** The native addon, or the reason it cannot be used. */
function loadNative(): { native: NativeKernels | null; reason: string | null } {
  try {
    const mod = nodeProcess()?.getBuiltinModule?.('node:module') as { createRequire(url: string): (id: string) => unknown } | undefined;
    if (!mod) return { native: null, reason: 'not in Node' };
    const loaded = mod.createRequire(import.meta.url)('@rxrnn/kernels-native') as { native: NativeKernels | null; reason: string | null };
    return { native: loaded.native, reason: loaded.reason };
  } catch (e) {
    return { native: null, reason: `@rxrnn/kernels-native is not installed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})` };
  }
}

/** What was loaded (on first use): the compiled module and the two runtimes over it, each with its own memory. */
const loaded: {
  module?: WebAssembly.Module | null;
  wasm?: KernelRuntime;
  native?: KernelRuntime | null;
  nativeReason: string | null;
  error: string | null;
} = { nativeReason: null, error: null };

// (module (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0))))
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () → v128
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x0a, 0x3d, 0x01, 0x3b, 0x00, // code: one body of 59 bytes, no locals
  ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array<number>(16).fill(0)]), // 3 × v128.const
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd (0xfd 261)
  0x0b, // end
]);
let relaxedSupported: boolean | undefined;

/**
 * Whether this engine runs relaxed SIMD (Chrome and Edge ≥ 114, Firefox ≥ 146; not Safari; Node 20 only
 * with `--experimental-wasm-relaxed-simd`).
 */
export function relaxedSimdSupported(): boolean {
  if (relaxedSupported === undefined) {
    try {
      relaxedSupported = WebAssembly.validate(RELAXED_PROBE);
    } catch {
      relaxedSupported = false;
    }
  }
  return relaxedSupported;
}

/**
 * The kernels binary to load here: 'kernels-relaxed.wasm' (fused multiply-adds in the GEMMs) when the
 * engine supports relaxed SIMD, else 'kernels.wasm'. Both are in the package's wasm/ folder; a browser
 * app fetches this one and passes its bytes to {@link loadKernels}.
 */
export function kernelsWasmFile(): 'kernels-relaxed.wasm' | 'kernels.wasm' {
  return relaxedSimdSupported() ? 'kernels-relaxed.wasm' : 'kernels.wasm';
}

/**
 * Load the kernels from the given bytes (browsers, bundlers). Replaces any earlier runtime; returns
 * the runtime {@link kernels} now gives for `config` (the native one in Node when it is built and wanted).
 */
export function loadKernels(bytes: BufferSource, config: KernelsConfig = {}): KernelRuntime {
  if (!WebAssembly.validate(bytes)) {
    const relaxed = !relaxedSimdSupported();
    throw rxrnnError(ErrorCodes.FORMAT, 'loadKernels', 'bytes', `a kernels binary this engine can compile (${kernelsWasmFile()} here${relaxed ? '; kernels-relaxed.wasm needs relaxed SIMD, which this engine lacks' : ''})`, `${(bytes as ArrayBuffer).byteLength ?? '?'} bytes that do not validate`);
  }
  const c = resolveKernelsConfig(config, 'loadKernels');
  loaded.module = new WebAssembly.Module(bytes);
  loaded.wasm = new KernelRuntime(loaded.module);
  loaded.native = undefined;
  loaded.error = null;
  return (c.native && nativeKernelRuntime(loaded.module)) || loaded.wasm;
}

function nativeKernelRuntime(module: WebAssembly.Module): KernelRuntime | null {
  if (loaded.native === undefined) {
    const { native, reason } = loadNative();
    loaded.nativeReason = reason;
    loaded.native = native ? new KernelRuntime(module, { native }) : null;
  }
  return loaded.native;
}

/** The compiled kernels (read from the package on first use in Node), or null when they cannot load. */
function kernelsModule(): WebAssembly.Module | null {
  if (loaded.module === undefined) {
    try {
      const fs = nodeProcess()?.getBuiltinModule?.('node:fs') as { readFileSync(p: URL): Uint8Array } | undefined;
      if (!fs) throw new Error('no node:fs; call loadKernels(bytes) first');
      loaded.module = new WebAssembly.Module(fs.readFileSync(new URL(`../../wasm/${kernelsWasmFile()}`, import.meta.url)) as BufferSource);
    } catch (e) {
      loaded.error = e instanceof Error ? e.message : String(e);
      loaded.module = null;
    }
  }
  return loaded.module;
}

/**
 * The shared runtime for `config`: the native kernels when built and wanted, else WebAssembly
 * (loaded on first use from the package in Node); null when unavailable or switched off.
 *
 * ```ts
 * const rt = kernels();                  // native where built, else WebAssembly; null if off
 * const wasm = kernels({ native: false }); // the WebAssembly kernels
 * ```
 */
export function kernels(config: KernelsConfig = {}): KernelRuntime | null {
  const c = resolveKernelsConfig(config);
  if (!c.enabled) return null;
  const module = kernelsModule();
  if (!module) return null;
  if (c.native) {
    const rt = nativeKernelRuntime(module);
    if (rt) return rt;
  }
  return (loaded.wasm ??= new KernelRuntime(module));
}

/**
 * The kernels' vectorised exp as an {@link ExpKernel} for @rxrnn/core's `softmaxCrossEntropy`:
 * install it with `setExpKernel(kernelExp())` (a program's choice: nothing installs it by itself).
 * Null when the kernels are off or did not load. In place: `values` ← exp(`values`).
 */
export function kernelExp(config: KernelsConfig = {}): ExpKernel | null {
  const rt = kernels(config);
  if (!rt) return null;
  return (values: Float32Array): boolean => {
    const n = values.length;
    rt.scratch([n, n], ([px, py]) => {
      rt.write(px, values);
      rt.k.activate(n, px, py, 2); // act 2: exp
      values.set(rt.f32().subarray(py >>> 2, (py >>> 2) + n));
    });
    return true;
  };
}

/** Which kernels run for `config` (native or WebAssembly, on how many threads); null when none load. */
export function kernelsInfo(config: KernelsConfig = {}): KernelsInfo | null {
  const c = resolveKernelsConfig(config, 'kernelsInfo');
  const rt = kernels(c);
  if (!rt) return null;
  const info = rt.info();
  if (info.backend === 'native') return info;
  return { ...info, nativeUnavailable: c.native ? loaded.nativeReason : 'switched off ({ native: false } or RXRNN_NATIVE=off)' };
}

/** Why {@link kernels} returned null for `config`, if it did. */
export function kernelsUnavailableReason(config: KernelsConfig = {}): string | null {
  if (!resolveKernelsConfig(config, 'kernelsUnavailableReason').enabled) return 'switched off ({ enabled: false } or RXRNN_KERNELS=off)';
  return loaded.error;
}

/**
 * A tensor's data kept in WASM memory, re-uploaded when the tensor's data changes (a tf.Variable's
 * `assign` gives it a new dataId), with its transpose built on demand for backward passes.
 */
export class Resident {
  private ptr = 0;
  private tptr = 0;
  private pptr = 0;
  private dataId: object | null = null;
  private tId: object | null = null;
  private pId: object | null = null;
  private size = 0;

  constructor(private readonly rt: KernelRuntime) {}

  /** Address of the tensor's data, uploading it if it changed. */
  sync(t: tf.Tensor): number {
    const id = (t as unknown as { dataId: object }).dataId;
    if (id !== this.dataId || this.ptr === 0) {
      if (this.size !== t.size) {
        this.freeAll();
        this.ptr = this.rt.alloc(t.size);
        this.size = t.size;
      }
      this.rt.write(this.ptr, tensorValues(t)); // (no copy in JavaScript on the wasm backend)
      this.dataId = id;
    }
    return this.ptr;
  }

  /** Address of the transpose `[C, R]` of the 2-D tensor `t` `[R, C]`. */
  syncTransposed(t: tf.Tensor): number {
    const p = this.sync(t);
    if (this.tId !== this.dataId || this.tptr === 0) {
      if (this.tptr === 0) this.tptr = this.rt.alloc(this.size);
      this.rt.k.transpose(t.shape[0], t.shape[1] ?? 1, p, this.tptr);
      this.tId = this.dataId;
    }
    return this.tptr;
  }

  /**
   * Address of the 2-D tensor `t` [K, N] packed for the native GEMM (kept between calls, re-packed when
   * the data changes), or 0 when the runtime has no packed layout (WebAssembly).
   */
  syncPacked(t: tf.Tensor): number {
    const pack = this.rt.k.pack;
    if (!pack) return 0;
    this.sync(t);
    if (this.pId !== this.dataId || this.pptr === 0) {
      const [K, N] = [t.shape[0], t.shape[1] ?? 1];
      if (this.pptr === 0) this.pptr = this.rt.alloc(Math.ceil(N / 16) * 16 * K);
      pack(K, N, this.ptr, N, this.pptr);
      this.pId = this.dataId;
    }
    return this.pptr;
  }

  freeAll(): void {
    if (this.ptr) this.rt.release(this.ptr);
    if (this.tptr) this.rt.release(this.tptr);
    if (this.pptr) this.rt.release(this.pptr);
    this.ptr = this.tptr = this.pptr = 0;
    this.dataId = this.tId = this.pId = null;
    this.size = 0;
  }
}
