/**
 * `ntmCell`: the Neural Turing Machine (Graves et al. 2014) as a {@link Cell}: an LSTM controller,
 * an N × M memory, R read heads and W write heads (the step and its equations: ntm-step.ts).
 *
 * Parameters (names as in {@link NtmParams}): `controller.kernel` [X + R·M, 4H] (Glorot),
 * `controller.recurrentKernel` [H, 4H] (orthogonal), `controller.bias` [4H] (forget gate 1);
 * `heads.kernel` [H, P] (Glorot), `heads.bias` [P] (0); `output.kernel` [H + R·M, Y] (Glorot),
 * `output.bias` [Y] (0); the learned initial state `init.reads` [R, M] (U(±0.1)), `init.readWeights`
 * [R, N] and `init.writeWeights` [W, N] (logits: 10 at row 0, 0 elsewhere, so every head starts
 * focused on row 0 — with a constant memory and uniform weightings nothing could tell the rows apart).
 * The initial memory is the small constant `memoryInit` (default 1e-6, not 0: Collier & Beel 2018
 * found a small constant the fastest to train), the controller starts at h = c = 0.
 *
 * ```ts
 * const cell = ntmCell({ inputSize: 9, outputSize: 8, memorySize: 128, memoryWidth: 20, controllerSize: 100, seed: 1 });
 * const [y, state, extras] = tf.tidy(() => cell.step(cell.initialState(1), x, { extras: true }));
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { defineCell, checkSize, checkAllocation, createRng, glorotUniform, orthogonal, uniformInit, rxrnnError, ErrorCodes, describe, type Cell, type ParamInit } from '@rxrnn/core';
import { param, checkWeightNames, type WeightsInput } from '@rxrnn/cells';
import { ntmStep, ntmInitialValues, headsWidth, type NtmParams, type NtmSizes, type NtmState } from './ntm-step.js';

export interface NtmCellOptions {
  /** X: width of an input. */
  inputSize: number;
  /** Y: width of an output (logits). */
  outputSize: number;
  /** N: rows of the memory. Default 128. */
  memorySize?: number;
  /** M: width of a memory row. Default 20. */
  memoryWidth?: number;
  /** R: read heads. Default 1. */
  readHeads?: number;
  /** W: write heads. Default 1. */
  writeHeads?: number;
  /** H: the LSTM controller's size. Default 100. */
  controllerSize?: number;
  /** S: shifts −S … +S. Default 1. */
  shiftRange?: number;
  /** Clip the controller's outputs to the heads to ±clip. Default 20. */
  clip?: number;
  /** Every cell of the initial memory. Default 1e-6. */
  memoryInit?: number;
  /** Address with one fused op per head (default true; the same numbers as the per-equation functions). */
  fusedAddressing?: boolean;
  seed?: number;
  weights?: WeightsInput;
}

export const NTM_WEIGHTS = [
  'controller.kernel',
  'controller.recurrentKernel',
  'controller.bias',
  'heads.kernel',
  'heads.bias',
  'output.kernel',
  'output.bias',
  'init.reads',
  'init.readWeights',
  'init.writeWeights',
] as const;

/** The NTM's sizes from its options (defaults filled in), checked before anything is allocated. */
export function ntmSizes(options: NtmCellOptions, fn = 'ntmCell'): NtmSizes & { memoryInit: number } {
  if (!options || typeof options !== 'object') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options', 'an options object', describe(options));
  const z = {
    inputSize: options.inputSize,
    outputSize: options.outputSize,
    memorySize: options.memorySize ?? 128,
    memoryWidth: options.memoryWidth ?? 20,
    readHeads: options.readHeads ?? 1,
    writeHeads: options.writeHeads ?? 1,
    controllerSize: options.controllerSize ?? 100,
    shiftRange: options.shiftRange ?? 1,
    clip: options.clip ?? 20,
    memoryInit: options.memoryInit ?? 1e-6,
    fusedAddressing: options.fusedAddressing ?? true,
  };
  for (const k of ['inputSize', 'outputSize', 'memorySize', 'memoryWidth', 'readHeads', 'writeHeads', 'controllerSize'] as const) checkSize(fn, `options.${k}`, z[k]);
  if (!Number.isInteger(z.shiftRange) || z.shiftRange < 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.shiftRange', 'a non-negative integer', describe(z.shiftRange));
  if (2 * z.shiftRange + 1 > z.memorySize) throw rxrnnError(ErrorCodes.SIZE, fn, 'options.shiftRange', `at most ${Math.floor((z.memorySize - 1) / 2)} (2S + 1 shifts within N = ${z.memorySize} rows)`, describe(z.shiftRange));
  if (typeof z.clip !== 'number' || !(z.clip > 0)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.clip', 'a positive number', describe(z.clip));
  if (typeof z.memoryInit !== 'number' || !Number.isFinite(z.memoryInit)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.memoryInit', 'a finite number', describe(z.memoryInit));
  // The largest parameter and the memory of one stream must fit the allocation limit.
  const { inputSize: X, memorySize: N, memoryWidth: M, readHeads: R, controllerSize: H } = z;
  checkAllocation(fn, 'options (controller.kernel)', (X + R * M) * 4 * H);
  checkAllocation(fn, 'options (heads.kernel)', H * headsWidth(z));
  checkAllocation(fn, 'options (memory)', N * M);
  return z;
}

export function ntmCell(options: NtmCellOptions): Cell<NtmState> {
  const fn = 'ntmCell';
  const z = ntmSizes(options, fn);
  checkWeightNames(fn, options.weights, NTM_WEIGHTS);
  const { inputSize: X, outputSize: Y, memorySize: N, memoryWidth: M, readHeads: R, writeHeads: W, controllerSize: H } = z;
  const P = headsWidth(z);
  const rng = createRng(options.seed ?? 0);
  const w = options.weights;
  const focused = (heads: number) => () => {
    const logits = new Float32Array(heads * N);
    for (let i = 0; i < heads; i++) logits[i * N] = 10;
    return logits;
  };
  const params: Record<(typeof NTM_WEIGHTS)[number], ParamInit> = {
    'controller.kernel': param(fn, w, 'controller.kernel', [X + R * M, 4 * H], () => glorotUniform(rng, X + R * M, 4 * H)),
    'controller.recurrentKernel': param(fn, w, 'controller.recurrentKernel', [H, 4 * H], () => orthogonal(rng, H, 4 * H)),
    'controller.bias': param(fn, w, 'controller.bias', [4 * H], () => new Float32Array(4 * H).fill(1, H, 2 * H)),
    'heads.kernel': param(fn, w, 'heads.kernel', [H, P], () => glorotUniform(rng, H, P)),
    'heads.bias': param(fn, w, 'heads.bias', [P], () => new Float32Array(P)),
    'output.kernel': param(fn, w, 'output.kernel', [H + R * M, Y], () => glorotUniform(rng, H + R * M, Y)),
    'output.bias': param(fn, w, 'output.bias', [Y], () => new Float32Array(Y)),
    'init.reads': param(fn, w, 'init.reads', [R, M], () => uniformInit(rng, R * M, 0.1)),
    'init.readWeights': param(fn, w, 'init.readWeights', [R, N], focused(R)),
    'init.writeWeights': param(fn, w, 'init.writeWeights', [W, N], focused(W)),
  };
  const sizes: NtmSizes = { ...z };
  return defineCell<NtmParams & Record<string, tf.Tensor>, NtmState>({
    kind: 'ntm',
    inputSize: X,
    outputSize: Y,
    config: { ...z, controller: 'lstm' },
    params: params as never,
    initialState: (p, b) =>
      tf.tidy(() => {
        const init = ntmInitialValues(p, b);
        return {
          h: tf.zeros([b, H]) as tf.Tensor2D,
          c: tf.zeros([b, H]) as tf.Tensor2D,
          memory: tf.fill([b, N * M], z.memoryInit) as tf.Tensor2D,
          readWeights: init.readWeights,
          writeWeights: init.writeWeights,
          reads: init.reads,
          fresh: tf.ones([b, 1]) as tf.Tensor2D,
        };
      }),
    step: (p, s, x, ctx) => ntmStep(p, s, x, sizes, ctx.extras),
  });
}
