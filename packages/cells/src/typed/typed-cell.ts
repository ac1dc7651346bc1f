/**
 * `tRnnCell`, `tLstmCell`, `tGruCell`: the strongly-typed units of Balduzzi & Ghifary 2016 as
 * {@link Cell}s (equations and parameter layout in `typed-step.ts`).
 *
 * Options: `inputSize`, `hiddenSize`, and for T-LSTM/T-GRU `lag` (default true: the gates see
 * x_t and x_{t−1}, as in the paper; false: x_t only). Default initialisation: Glorot-uniform
 * kernels, zero biases.
 */
import * as tf from '@tensorflow/tfjs';
import { defineCell, checkSize, createRng, glorotUniform, rxrnnError, ErrorCodes, describe, type Cell } from '@rxrnn/core';
import { tRnnStep, tLstmStep, tGruStep, type TRnnParams, type TRnnState, type TGatedParams, type TLstmState, type TGruState } from './typed-step.js';
import { param, checkWeightNames, type WeightsInput } from '../shared/weights.js';

export interface TRnnCellOptions {
  inputSize: number;
  hiddenSize: number;
  seed?: number;
  weights?: WeightsInput;
}
export interface TGatedCellOptions extends TRnnCellOptions {
  /** The gates also see the previous input x_{t−1} (the paper's form). Default true. */
  lag?: boolean;
}

export const T_RNN_WEIGHTS = ['kernel', 'bias'] as const;
export const T_GATED_WEIGHTS = ['kernel', 'lagKernel', 'bias'] as const;

export function tRnnCell(options: TRnnCellOptions): Cell<TRnnState> {
  const fn = 'tRnnCell';
  const { inputSize: X, hiddenSize: H } = options ?? ({} as TRnnCellOptions);
  checkSize(fn, 'options.inputSize', X);
  checkSize(fn, 'options.hiddenSize', H);
  checkWeightNames(fn, options.weights, T_RNN_WEIGHTS);
  const rng = createRng(options.seed ?? 0);
  const params = {
    kernel: param(fn, options.weights, 'kernel', [X, 2 * H], () => glorotUniform(rng, X, 2 * H)),
    bias: param(fn, options.weights, 'bias', [H], () => new Float32Array(H)),
  };
  return defineCell<TRnnParams & Record<string, tf.Tensor>, TRnnState>({
    kind: 't-rnn',
    inputSize: X,
    outputSize: H,
    config: { inputSize: X, hiddenSize: H },
    params: params as never,
    initialState: (_p, b) => ({ h: tf.zeros([b, H]) as tf.Tensor2D }),
    step: (p, s, x, ctx) => tRnnStep(p, s, x, ctx.extras),
  });
}

function gatedParams(fn: string, options: TGatedCellOptions) {
  const { inputSize: X, hiddenSize: H } = options ?? ({} as TGatedCellOptions);
  checkSize(fn, 'options.inputSize', X);
  checkSize(fn, 'options.hiddenSize', H);
  const lag = options.lag ?? true;
  if (typeof lag !== 'boolean') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.lag', 'a boolean', describe(lag));
  checkWeightNames(fn, options.weights, lag ? T_GATED_WEIGHTS : ['kernel', 'bias']);
  const rng = createRng(options.seed ?? 0);
  const params: Record<string, ReturnType<typeof param>> = {
    kernel: param(fn, options.weights, 'kernel', [X, 3 * H], () => glorotUniform(rng, X, 3 * H)),
  };
  if (lag) params.lagKernel = param(fn, options.weights, 'lagKernel', [X, 3 * H], () => glorotUniform(rng, X, 3 * H));
  params.bias = param(fn, options.weights, 'bias', [3 * H], () => new Float32Array(3 * H));
  return { X, H, lag, params };
}

export function tLstmCell(options: TGatedCellOptions): Cell<TLstmState> {
  const { X, H, lag, params } = gatedParams('tLstmCell', options);
  return defineCell<TGatedParams & Record<string, tf.Tensor>, TLstmState>({
    kind: 't-lstm',
    inputSize: X,
    outputSize: H,
    config: { inputSize: X, hiddenSize: H, lag },
    params: params as never,
    initialState: (_p, b) => (lag ? { c: tf.zeros([b, H]) as tf.Tensor2D, xPrev: tf.zeros([b, X]) as tf.Tensor2D } : { c: tf.zeros([b, H]) as tf.Tensor2D }),
    step: (p, s, x, ctx) => tLstmStep(p, s, x, ctx.extras),
  });
}

export function tGruCell(options: TGatedCellOptions): Cell<TGruState> {
  const { X, H, lag, params } = gatedParams('tGruCell', options);
  return defineCell<TGatedParams & Record<string, tf.Tensor>, TGruState>({
    kind: 't-gru',
    inputSize: X,
    outputSize: H,
    config: { inputSize: X, hiddenSize: H, lag },
    params: params as never,
    initialState: (_p, b) => (lag ? { h: tf.zeros([b, H]) as tf.Tensor2D, xPrev: tf.zeros([b, X]) as tf.Tensor2D } : { h: tf.zeros([b, H]) as tf.Tensor2D }),
    step: (p, s, x, ctx) => tGruStep(p, s, x, ctx.extras),
  });
}
