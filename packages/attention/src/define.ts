/**
 * `defineAttention(spec)`: the one builder behind every mechanism factory. It turns initial weights
 * into tf.Variables, validates every input's shape before allocating (typed `RxrnnError`s with stable
 * codes), runs `precompute` and `attend` in `tf.tidy`, and applies the shared masked normalisation.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, type ParamInit } from '@rxrnn/core';
import { kernels, resolveKernelsConfig, tapeOn, type KernelRuntime, type KernelsConfig } from '@rxrnn/kernels';
import { normalise, contextOf } from './normalise.js';
import type { Attention, AttentionKind, AttendOptions, AttendResult, Memory, NormaliseOptions } from './types.js';

export interface AttentionSpec<P extends Record<string, tf.Variable>> {
  kind: AttentionKind;
  querySize: number;
  keySize: number;
  /** Initial values by parameter name (from `param` of @rxrnn/cells: given or drawn). */
  weights: Record<keyof P & string, ParamInit>;
  /** Keys [B, S, D] → their projection [B, S, A], or null (computed inside a tidy). */
  project: (p: P, keys: tf.Tensor3D) => tf.Tensor3D | null;
  /** Query [B, Q] and memory → scores e [B, S] (computed inside a tidy). */
  score: (p: P, query: tf.Tensor2D, memory: Memory, options: AttendOptions) => tf.Tensor2D;
  normalise?: NormaliseOptions;
  /** Names of per-step options the mechanism requires. */
  requires?: ('prevAlignment' | 'coverage')[];
  /**
   * Replaces the masked softmax and context (monotonic attention, MoChA): scores e [B, S] → the step's
   * result (computed inside the same tidy as `score`). Default: `normalise` then `contextOf`.
   */
  align?: (p: P, scores: tf.Tensor2D, query: tf.Tensor2D, memory: Memory, options: AttendOptions) => AttendResult;
  /** The α_0 the mechanism prescribes (see {@link Attention.initialAlignment}). */
  initialAlignment?: (batch: number, sourceLength: number, mask?: tf.Tensor2D) => tf.Tensor2D;
  /**
   * The same step (score, masked softmax, context) in one kernel call of @rxrnn/kernels, or null when the
   * kernels do not cover these options (the tfjs path then runs); `taped`: a gradient tape records (return
   * null unless the kernel call is differentiable).
   */
  fused?: (p: P, query: tf.Tensor2D, memory: Memory, options: AttendOptions, rt: KernelRuntime, taped: boolean) => AttendResult | null;
  /** The mechanism's `fused` option: default true (when the kernels load); false keeps the tfjs path. */
  kernels?: boolean | KernelsConfig;
}

/** The runtime a mechanism's fused attend runs on, or null (switched off, no fused form, kernels unavailable). */
function fusedRuntime(fn: string, spec: { fused?: unknown; kernels?: boolean | KernelsConfig; normalise?: NormaliseOptions; align?: unknown }): KernelRuntime | null {
  if (!spec.fused || spec.kernels === false || spec.normalise || spec.align) return null; // (the kernels: a plain masked softmax)
  return kernels(resolveKernelsConfig(spec.kernels === true || spec.kernels === undefined ? {} : spec.kernels, fn));
}

function variables<P>(weights: Record<string, ParamInit>): P {
  const out: Record<string, tf.Variable> = {};
  for (const [name, w] of Object.entries(weights)) {
    const t = w instanceof tf.Tensor ? w.clone() : tf.tensor(w.data, w.shape, 'float32');
    out[name] = tf.variable(t, true); // unique names are tfjs's own
    t.dispose();
  }
  return out as P;
}

function checkRank(fn: string, arg: string, t: unknown, rank: number, dims: (number | null)[]): void {
  const ok = t instanceof tf.Tensor && t.rank === rank && dims.every((d, i) => d === null || (t as tf.Tensor).shape[i] === d);
  if (!ok) throw rxrnnError(ErrorCodes.SHAPE, fn, arg, `shape [${dims.map((d, i) => d ?? 'BSDA'[i]).join(', ')}]`, describe(t));
}

/** Build an {@link Attention} from its projection and score functions. */
export function defineAttention<P extends Record<string, tf.Variable>>(spec: AttentionSpec<P>): Attention<P> {
  const { kind, querySize: Q, keySize: D } = spec;
  const params = variables<P>(spec.weights);
  const requires = spec.requires ?? [];
  const rt = fusedRuntime(kind, spec);
  let disposed = false;
  const live = (fn: string) => {
    if (disposed) throw rxrnnError(ErrorCodes.DISPOSED, fn, 'this', 'a live attention', `a disposed ${kind} attention`);
  };

  const precompute = (keys: tf.Tensor3D): Memory => {
    live(`${kind}.precompute`);
    checkRank(`${kind}.precompute`, 'keys', keys, 3, [null, null, D]);
    const projected = tf.tidy(() => spec.project(params, keys) ?? undefined) ?? null; // [B, S, A] or null
    return { keys, projected, dispose: () => projected?.dispose() };
  };

  const check = (fn: string, query: tf.Tensor2D, memory: Memory, options: AttendOptions) => {
    live(fn);
    if (!memory || !(memory.keys instanceof tf.Tensor)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'memory', 'the result of precompute(keys)', describe(memory));
    const [B, S] = memory.keys.shape;
    checkRank(fn, 'query', query, 2, [B, Q]);
    if (options.mask !== undefined) checkRank(fn, 'options.mask', options.mask, 2, [B, S]);
    for (const name of ['prevAlignment', 'coverage'] as const) {
      if (options[name] !== undefined) checkRank(fn, `options.${name}`, options[name], 2, [B, S]);
      else if (requires.includes(name)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, `options.${name}`, `a [${B}, ${S}] tensor (${kind} attention needs it)`, 'undefined');
    }
    if (options.noise !== undefined) checkRank(fn, 'options.noise', options.noise, 2, [B, S]);
  };

  const score = (query: tf.Tensor2D, memory: Memory, options: AttendOptions = {}): tf.Tensor2D => {
    check(`${kind}.score`, query, memory, options);
    return tf.tidy(() => spec.score(params, query, memory, options));
  };

  const attend = (query: tf.Tensor2D, memory: Memory, options: AttendOptions = {}): AttendResult => {
    check(`${kind}.attend`, query, memory, options);
    return tf.tidy((): tf.TensorContainer => {
      if (rt) {
        const r = spec.fused!(params, query, memory, options, rt, tapeOn()); // (null: not covered; the tfjs path below)
        if (r) return { ...r } as unknown as tf.TensorContainer;
      }
      const e = spec.score(params, query, memory, options); // [B, S]
      if (spec.align) return { ...spec.align(params, e, query, memory, options) } as unknown as tf.TensorContainer;
      const alignment = normalise(e, options.mask, spec.normalise); // [B, S]
      return { context: contextOf(alignment, memory.keys), alignment }; // [B, D], [B, S]
    }) as unknown as AttendResult;
  };

  return {
    kind,
    querySize: Q,
    keySize: D,
    params,
    fused: rt !== null,
    precompute,
    score,
    attend,
    ...(spec.initialAlignment ? { initialAlignment: spec.initialAlignment } : {}),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      for (const v of Object.values(params)) v.dispose();
    },
  };
}
