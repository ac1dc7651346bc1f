/**
 * The building blocks of differentiable ops on the kernels (the fused paths of @rxrnn/cells and
 * {@link affine} are made of them): checks, the tape test, which runtime an op runs on, resident
 * weights for tensors passed by the caller, reserve space kept for a backward, one tape node with
 * several outputs, and moving data between tfjs and kernel memory.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, tensorValues, tensorFrom } from '@rxrnn/core';
import { Resident, KernelRuntime, kernels, resolveKernelsConfig, type KernelsConfig } from './wasm/runtime.js';

/** Where an op runs: a {@link KernelsConfig} (looked up with {@link kernels}) or a runtime itself. */
export type KernelsChoice = KernelsConfig | KernelRuntime;

/** The runtime `choice` names (null: kernels off or unavailable; see {@link kernels}). */
export function runtimeOf(choice: KernelsChoice | undefined, fn: string): KernelRuntime | null {
  if (choice instanceof KernelRuntime) return choice;
  return kernels(resolveKernelsConfig(choice, fn));
}

/**
 * True when tfjs is recording a gradient tape (inside `tf.grad`, `tf.variableGrads`,
 * `optimizer.minimize`). The fused paths then save what their backward needs; otherwise they skip
 * it. Reads tfjs-core's engine state (`gradientDepth`, stable through tfjs 4.x).
 */
export function tapeOn(): boolean {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number } }).state;
  return state.gradientDepth > 0;
}

/** Throw unless `t` is a float32 tensor of exactly `shape` (-1 = any size ≥ 1). */
export function checkTensor(fn: string, arg: string, t: unknown, shape: number[], words: string): asserts t is tf.Tensor {
  const ok =
    t instanceof tf.Tensor &&
    !t.isDisposed &&
    t.rank === shape.length &&
    shape.every((d, i) => (d < 0 ? t.shape[i] >= 1 : t.shape[i] === d));
  if (!ok) throw rxrnnError(ErrorCodes.SHAPE, fn, arg, `a tensor of shape ${words}`, t instanceof tf.Tensor && t.isDisposed ? 'a disposed tensor' : describe(t));
  if (t.dtype !== 'float32') throw rxrnnError(ErrorCodes.DTYPE, fn, arg, 'a float32 tensor', describe(t));
}

const registry = typeof FinalizationRegistry !== 'undefined' ? new FinalizationRegistry<Resident>((r) => r.freeAll()) : null;
// per runtime (native and WebAssembly runtimes have separate memories), per tensor
const residents = new WeakMap<KernelRuntime, WeakMap<tf.Tensor, Resident>>();

/**
 * The resident copy of a weight tensor passed by the caller (kept across calls while the tensor
 * lives, re-uploaded when a Variable is assigned; released when the tensor is garbage-collected).
 */
export function residentFor(rt: KernelRuntime, t: tf.Tensor): Resident {
  let mine = residents.get(rt);
  if (!mine) residents.set(rt, (mine = new WeakMap()));
  let r = mine.get(t);
  if (!r) {
    r = new Resident(rt);
    mine.set(t, r);
    registry?.register(t, r);
  }
  return r;
}

/**
 * The tensor's values, without a copy on the wasm and cpu backends (core's `tensorValues`): copy
 * them into kernel memory at once, before any tfjs op runs.
 */
export function floatValues(t: tf.Tensor): Float32Array {
  return tensorValues(t) as Float32Array;
}

/** A new tensor of `shape` holding the floats at `ptr` in kernel memory: one copy, into tfjs's own memory. */
export function tensorAt<R extends tf.Rank>(rt: KernelRuntime, ptr: number, shape: number[]): tf.Tensor<R> {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensorFrom(shape, (dst) => dst.set(rt.f32().subarray(ptr >>> 2, (ptr >>> 2) + n)), true) as tf.Tensor<R>; // (every entry written: no zeroing first)
}

interface ReserveBlocks {
  rt: KernelRuntime;
  ptrs: number[];
  live: boolean;
}
const freeBlocks = (b: ReserveBlocks): void => {
  if (!b.live) return;
  b.live = false;
  for (let i = b.ptrs.length - 1; i >= 0; i--) b.rt.release(b.ptrs[i]);
};
const reserveRegistry = typeof FinalizationRegistry !== 'undefined' ? new FinalizationRegistry<ReserveBlocks>(freeBlocks) : null;

/**
 * What a forward pass keeps for its backward, left in kernel memory (cuDNN's "reserve space"):
 * the backward reads it where the forward wrote it instead of a copy out to JavaScript and back
 * (~20 MB per char-rnn batch). Released by {@link Reserve.release} after the backward, or — when
 * no backward ever runs (a tape that never asks for this op's gradient) — once the op's gradient
 * closure is garbage-collected.
 */
export class Reserve {
  private readonly blocks: ReserveBlocks;

  constructor(rt: KernelRuntime, counts: number[]) {
    const ptrs: number[] = [];
    try {
      for (const n of counts) ptrs.push(rt.alloc(n));
    } catch (e) {
      for (let i = ptrs.length - 1; i >= 0; i--) rt.release(ptrs[i]);
      throw e;
    }
    this.blocks = { rt, ptrs, live: true };
    reserveRegistry?.register(this, this.blocks, this);
  }

  /** Byte addresses of the blocks, in the order of the counts given. */
  get ptrs(): readonly number[] {
    if (!this.blocks.live) throw rxrnnError(ErrorCodes.STATE, 'Reserve.ptrs', 'reserve', 'the saved forward of an op whose backward has not run yet', 'a reserve already released (a second backward through the same op)');
    return this.blocks.ptrs;
  }

  /** Give the blocks back (idempotent). */
  release(): void {
    if (!this.blocks.live) return;
    reserveRegistry?.unregister(this);
    freeBlocks(this.blocks);
  }
}

/** What the forward of a {@link multiOutputOp} gives: its outputs and the backward over them. */
export interface MultiOutputForward {
  outputs: tf.Tensor[];
  /** One dy per output (zeros for outputs the loss does not reach) → one gradient per input. */
  backward: (dys: tf.Tensor[]) => tf.Tensor[];
}

/**
 * A differentiable op with several outputs (ys, h_T, c_T), which `tf.customGrad` (one output)
 * cannot express without packing them into one tensor and slicing it apart — a copy of ys per batch, and
 * pad/add gradients for its slices. Records one tape node through tfjs-core's
 * `engine().runKernelFunc`, the call `customGrad` itself makes (tfjs 4.x).
 */
export function multiOutputOp(inputs: tf.Tensor[], forward: () => MultiOutputForward): tf.Tensor[] {
  let backward: MultiOutputForward['backward'] | null = null;
  const engine = tf.engine() as unknown as {
    runKernelFunc(p: {
      forwardFunc: () => tf.Tensor[];
      backwardsFunc: (dy: tf.Tensor | tf.Tensor[]) => Record<number, () => tf.Tensor>;
      inputs: Record<number, tf.Tensor>;
    }): tf.Tensor | tf.Tensor[];
  };
  if (typeof engine.runKernelFunc !== 'function') {
    throw rxrnnError(ErrorCodes.STATE, 'multiOutputOp', 'tf.engine()', 'tfjs-core 4.x (engine().runKernelFunc, which tf.customGrad uses)', `tfjs ${tf.version.tfjs} without it`);
  }
  const out = engine.runKernelFunc({
    forwardFunc: () => {
      const r = forward();
      backward = r.backward;
      return r.outputs;
    },
    backwardsFunc: (dy) => {
      const grads = (backward as MultiOutputForward['backward'])(Array.isArray(dy) ? dy : [dy]);
      return Object.fromEntries(grads.map((g, i) => [i, () => g]));
    },
    inputs: Object.fromEntries(inputs.map((t, i) => [i, t])),
  });
  return Array.isArray(out) ? out : [out];
}

/**
 * Run a forward pass on `counts` blocks of kernel memory: scratch released afterwards, or — with
 * `keep` — a {@link Reserve} left for the backward and returned as `saved`.
 */
export function forwardOn<F extends object>(rt: KernelRuntime, counts: number[], keep: boolean, run: (ptrs: readonly number[]) => F): F & { saved?: Reserve } {
  if (!keep) return rt.scratch(counts, run);
  const saved = new Reserve(rt, counts);
  try {
    return { ...run(saved.ptrs), saved };
  } catch (e) {
    saved.release();
    throw e;
  }
}

/** h_T is also the last row of ys: add its gradient `dhT` [n] into the last step of dys at `pdys` ([T, n]). */
export function addLastStep(rt: KernelRuntime, pdys: number, T: number, dhT: Float32Array): void {
  const f32 = rt.f32();
  const last = (pdys >>> 2) + (T - 1) * dhT.length;
  for (let i = 0; i < dhT.length; i++) f32[last + i] += dhT[i];
}
