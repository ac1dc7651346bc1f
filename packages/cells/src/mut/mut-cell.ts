/**
 * `mutCell({ variant: 'MUT1' | 'MUT2' | 'MUT3', inputSize, hiddenSize })`: the mutated units of
 * Jozefowicz, Zaremba & Sutskever 2015 as a {@link Cell} (equations and parameter layout in
 * `mut-step.ts`). MUT1 and MUT2 add the input to hidden-sized vectors without a matrix, so they
 * require `inputSize === hiddenSize`.
 *
 * Default initialisation: Glorot-uniform `kernel`, orthogonal recurrent matrices, zero bias.
 */
import * as tf from '@tensorflow/tfjs';
import { defineCell, checkSize, createRng, glorotUniform, orthogonal, rxrnnError, ErrorCodes, describe, type Cell } from '@rxrnn/core';
import { mutStep, MUT_BLOCKS, MUT_VARIANTS, type MutParams, type MutState, type MutVariant } from './mut-step.js';
import { param, checkWeightNames, type WeightsInput } from '../shared/weights.js';

export interface MutCellOptions {
  variant: MutVariant;
  inputSize: number;
  hiddenSize: number;
  seed?: number;
  weights?: WeightsInput;
}

/** Parameter names of each variant. */
export const MUT_WEIGHTS: Readonly<Record<MutVariant, readonly string[]>> = {
  MUT1: ['kernel', 'resetKernel', 'candidateKernel', 'bias'],
  MUT2: ['kernel', 'updateKernel', 'resetKernel', 'candidateKernel', 'bias'],
  MUT3: ['kernel', 'updateKernel', 'resetKernel', 'candidateKernel', 'bias'],
};

export function mutCell(options: MutCellOptions): Cell<MutState> {
  const fn = 'mutCell';
  const { variant, inputSize: X, hiddenSize: H } = options ?? ({} as MutCellOptions);
  if (!MUT_VARIANTS.includes(variant)) throw rxrnnError(ErrorCodes.UNKNOWN, fn, 'options.variant', "'MUT1', 'MUT2' or 'MUT3'", describe(variant));
  checkSize(fn, 'options.inputSize', X);
  checkSize(fn, 'options.hiddenSize', H);
  if (variant !== 'MUT3' && X !== H) {
    throw rxrnnError(ErrorCodes.SIZE, fn, 'options.inputSize', `${H} (= hiddenSize: ${variant} adds the input to hidden-sized vectors without a matrix)`, `${X}`);
  }
  checkWeightNames(fn, options.weights, MUT_WEIGHTS[variant]);
  const rng = createRng(options.seed ?? 0);
  const kx = MUT_BLOCKS[variant];
  const params: Record<string, ReturnType<typeof param>> = {
    kernel: param(fn, options.weights, 'kernel', [X, kx * H], () => glorotUniform(rng, X, kx * H)),
  };
  if (variant !== 'MUT1') params.updateKernel = param(fn, options.weights, 'updateKernel', [H, H], () => orthogonal(rng, H, H));
  params.resetKernel = param(fn, options.weights, 'resetKernel', [H, H], () => orthogonal(rng, H, H));
  params.candidateKernel = param(fn, options.weights, 'candidateKernel', [H, H], () => orthogonal(rng, H, H));
  params.bias = param(fn, options.weights, 'bias', [3 * H], () => new Float32Array(3 * H));
  return defineCell<MutParams & Record<string, tf.Tensor>, MutState>({
    kind: 'mut',
    inputSize: X,
    outputSize: H,
    config: { variant, inputSize: X, hiddenSize: H },
    params: params as never,
    initialState: (_p, b) => ({ h: tf.zeros([b, H]) as tf.Tensor2D }),
    step: (p, s, x, ctx) => mutStep(variant, p, s, x, ctx.extras),
  });
}
