/**
 * `gruCell`: the gated recurrent unit (Cho et al. 2014) as a {@link Cell}, in PyTorch's
 * reset-after form (default) or the paper's reset-before form (`resetAfter: false`).
 *
 * Parameters (gate order r, z, n): `kernel` [X, 3H], `recurrentKernel` [H, 3H], `bias` [3H],
 * and in the reset-after form `recurrentBias` [3H].
 */
import * as tf from '@tensorflow/tfjs';
import { defineCell, checkSize, createRng, getActivation, glorotUniform, orthogonal, uniformInit, type Activation, type Cell } from '@rxrnn/core';
import { withFusedPath } from '../fused/fuse-cell.js';
import { gruStep, type GruParams, type GruState } from './gru-step.js';
import { param, checkWeightNames, type WeightsInput } from '../shared/weights.js';
import type { FusedOption } from '../shared/fused-option.js';

export interface GruCellOptions extends FusedOption {
  inputSize: number;
  hiddenSize: number;
  /** Reset gate applied after the recurrent matmul (PyTorch, Keras default). Default true. */
  resetAfter?: boolean;
  activation?: Activation;
  recurrentActivation?: Activation;
  /** `'glorot'` (default: Glorot kernel, orthogonal recurrent, zero biases) or `'uniform'` (PyTorch). */
  init?: 'glorot' | 'uniform';
  seed?: number;
  weights?: WeightsInput;
}

export const GRU_WEIGHTS = ['kernel', 'recurrentKernel', 'bias', 'recurrentBias'] as const;

export function gruCell(options: GruCellOptions): Cell<GruState> {
  const fn = 'gruCell';
  const { inputSize: X, hiddenSize: H } = options ?? ({} as GruCellOptions);
  checkSize(fn, 'options.inputSize', X);
  checkSize(fn, 'options.hiddenSize', H);
  const resetAfter = options.resetAfter ?? true;
  const activation = options.activation ?? 'tanh';
  const recurrentActivation = options.recurrentActivation ?? 'sigmoid';
  const act = getActivation(activation, fn, 'options.activation');
  const gateAct = getActivation(recurrentActivation, fn, 'options.recurrentActivation');
  checkWeightNames(fn, options.weights, resetAfter ? GRU_WEIGHTS : GRU_WEIGHTS.slice(0, 3));
  const rng = createRng(options.seed ?? 0);
  const init = options.init ?? 'glorot';
  const k = 1 / Math.sqrt(H);
  const params: Record<string, ReturnType<typeof param>> = {
    kernel: param(fn, options.weights, 'kernel', [X, 3 * H], () => (init === 'uniform' ? uniformInit(rng, X * 3 * H, k) : glorotUniform(rng, X, 3 * H))),
    recurrentKernel: param(fn, options.weights, 'recurrentKernel', [H, 3 * H], () => (init === 'uniform' ? uniformInit(rng, H * 3 * H, k) : orthogonal(rng, H, 3 * H))),
    bias: param(fn, options.weights, 'bias', [3 * H], () => (init === 'uniform' ? uniformInit(rng, 3 * H, k) : new Float32Array(3 * H))),
  };
  if (resetAfter) params.recurrentBias = param(fn, options.weights, 'recurrentBias', [3 * H], () => (init === 'uniform' ? uniformInit(rng, 3 * H, k) : new Float32Array(3 * H)));
  const cell = defineCell<GruParams & Record<string, tf.Tensor>, GruState>({
    kind: 'gru',
    inputSize: X,
    outputSize: H,
    config: {
      inputSize: X,
      hiddenSize: H,
      resetAfter,
      activation: typeof activation === 'string' ? activation : 'custom',
      recurrentActivation: typeof recurrentActivation === 'string' ? recurrentActivation : 'custom',
    },
    params: params as never,
    initialState: (_p, b) => ({ h: tf.zeros([b, H]) as tf.Tensor2D }),
    step: (p, s, x, ctx) => gruStep(p, s, x, act, gateAct, resetAfter, ctx.extras),
  });
  return withFusedPath(cell, options.fused);
}
