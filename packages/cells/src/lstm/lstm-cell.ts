/**
 * `lstmCell`: the LSTM of the lecture (with forget gate; optional projection) as a {@link Cell}.
 *
 * Parameters (gate order i, f, g, o): `kernel` [X, 4H], `recurrentKernel` [P|H, 4H], `bias` [4H]
 * (PyTorch's two biases summed), and with `projSize` P, `projection` [H, P].
 * Default initialisation: Glorot-uniform kernel, orthogonal recurrent kernel, zero bias except the
 * forget gate's, set to `forgetBias` (default 1, as Jozefowicz et al. 2015 recommend).
 */
import * as tf from '@tensorflow/tfjs';
import { defineCell, checkSize, createRng, getActivation, glorotUniform, orthogonal, uniformInit, type Activation, type Cell } from '@rxrnn/core';
import { withFusedPath } from '../fused/fuse-cell.js';
import { lstmStep, type LstmParams, type LstmState } from './lstm-step.js';
import { param, checkWeightNames, type WeightsInput } from '../shared/weights.js';
import type { FusedOption } from '../shared/fused-option.js';

export interface LstmCellOptions extends FusedOption {
  inputSize: number;
  hiddenSize: number;
  /** Project h to this size (LSTMP; PyTorch's `proj_size`). */
  projSize?: number;
  /** Initial forget-gate bias. Default 1. */
  forgetBias?: number;
  /** Cell/candidate activation. Default `'tanh'`. */
  activation?: Activation;
  /** Gate activation. Default `'sigmoid'`. */
  recurrentActivation?: Activation;
  /** `'glorot'` (default: Glorot kernel, orthogonal recurrent) or `'uniform'` (PyTorch's U(±1/√H)). */
  init?: 'glorot' | 'uniform';
  seed?: number;
  weights?: WeightsInput;
}

export const LSTM_WEIGHTS = ['kernel', 'recurrentKernel', 'bias', 'projection'] as const;

export function lstmCell(options: LstmCellOptions): Cell<LstmState> {
  const fn = 'lstmCell';
  const { inputSize: X, hiddenSize: H } = options ?? ({} as LstmCellOptions);
  checkSize(fn, 'options.inputSize', X);
  checkSize(fn, 'options.hiddenSize', H);
  if (options.projSize !== undefined) checkSize(fn, 'options.projSize', options.projSize);
  const P = options.projSize;
  const R = P ?? H; // size of h
  const activation = options.activation ?? 'tanh';
  const recurrentActivation = options.recurrentActivation ?? 'sigmoid';
  const act = getActivation(activation, fn, 'options.activation');
  const gateAct = getActivation(recurrentActivation, fn, 'options.recurrentActivation');
  checkWeightNames(fn, options.weights, P ? LSTM_WEIGHTS : LSTM_WEIGHTS.slice(0, 3));
  const rng = createRng(options.seed ?? 0);
  const init = options.init ?? 'glorot';
  const forgetBias = options.forgetBias ?? 1;
  const k = 1 / Math.sqrt(H);
  const params: Record<string, ReturnType<typeof param>> = {
    kernel: param(fn, options.weights, 'kernel', [X, 4 * H], () => (init === 'uniform' ? uniformInit(rng, X * 4 * H, k) : glorotUniform(rng, X, 4 * H))),
    recurrentKernel: param(fn, options.weights, 'recurrentKernel', [R, 4 * H], () => (init === 'uniform' ? uniformInit(rng, R * 4 * H, k) : orthogonal(rng, R, 4 * H))),
    bias: param(fn, options.weights, 'bias', [4 * H], () => {
      const b = init === 'uniform' ? uniformInit(rng, 4 * H, k) : new Float32Array(4 * H);
      for (let j = H; j < 2 * H; j++) b[j] += forgetBias;
      return b;
    }),
  };
  if (P) params.projection = param(fn, options.weights, 'projection', [H, P], () => (init === 'uniform' ? uniformInit(rng, H * P, k) : glorotUniform(rng, H, P)));
  const cell = defineCell<LstmParams & Record<string, tf.Tensor>, LstmState>({
    kind: 'lstm',
    inputSize: X,
    outputSize: R,
    config: {
      inputSize: X,
      hiddenSize: H,
      projSize: P ?? null,
      activation: typeof activation === 'string' ? activation : 'custom',
      recurrentActivation: typeof recurrentActivation === 'string' ? recurrentActivation : 'custom',
    },
    params: params as never,
    initialState: (_p, b) => ({ h: tf.zeros([b, R]) as tf.Tensor2D, c: tf.zeros([b, H]) as tf.Tensor2D }),
    step: (p, s, x, ctx) => lstmStep(p, s, x, act, gateAct, ctx.extras),
  });
  return withFusedPath(cell, options.fused);
}
