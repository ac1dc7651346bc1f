/**
 * `rnnCell`: a vanilla RNN `h_t = φ(W x_t + U h_{t−1} + b)` as a {@link Cell}.
 *
 * Parameters: `kernel` [X, H], `recurrentKernel` [H, H], `bias` [H]. Default initialisation is
 * PyTorch's U(±1/√H); `init: 'irnn'` gives the IRNN of Le et al. (2015): U = I, b = 0 (use with relu).
 */
import * as tf from '@tensorflow/tfjs';
import { defineCell, checkSize, createRng, getActivation, uniformInit, identityInit, glorotUniform, type Activation, type Cell } from '@rxrnn/core';
import { withFusedPath } from '../fused/fuse-cell.js';
import { rnnStep, type RnnParams, type RnnState } from './rnn-step.js';
import { param, checkWeightNames, type WeightsInput } from '../shared/weights.js';
import type { FusedOption } from '../shared/fused-option.js';

export interface RnnCellOptions extends FusedOption {
  inputSize: number;
  hiddenSize: number;
  /** φ. Default `'tanh'`. */
  activation?: Activation;
  /** `'uniform'` (PyTorch, default), `'glorot'`, or `'irnn'` (identity recurrence, zero bias). */
  init?: 'uniform' | 'glorot' | 'irnn';
  seed?: number;
  /** Weights by name; missing ones are initialised. */
  weights?: WeightsInput;
}

export const RNN_WEIGHTS = ['kernel', 'recurrentKernel', 'bias'] as const;

export function rnnCell(options: RnnCellOptions): Cell<RnnState> {
  const fn = 'rnnCell';
  const { inputSize: X, hiddenSize: H } = options ?? ({} as RnnCellOptions);
  checkSize(fn, 'options.inputSize', X);
  checkSize(fn, 'options.hiddenSize', H);
  const activation = options.activation ?? 'tanh';
  const phi = getActivation(activation, fn, 'options.activation');
  checkWeightNames(fn, options.weights, RNN_WEIGHTS);
  const rng = createRng(options.seed ?? 0);
  const init = options.init ?? 'uniform';
  const k = 1 / Math.sqrt(H);
  const cell = defineCell<RnnParams & Record<string, tf.Tensor>, RnnState>({
    kind: 'rnn',
    inputSize: X,
    outputSize: H,
    config: { inputSize: X, hiddenSize: H, activation: typeof activation === 'string' ? activation : 'custom', init },
    params: {
      kernel: param(fn, options.weights, 'kernel', [X, H], () => (init === 'uniform' ? uniformInit(rng, X * H, k) : glorotUniform(rng, X, H))),
      recurrentKernel: param(fn, options.weights, 'recurrentKernel', [H, H], () =>
        init === 'irnn' ? identityInit(H, H) : init === 'glorot' ? glorotUniform(rng, H, H) : uniformInit(rng, H * H, k),
      ),
      bias: param(fn, options.weights, 'bias', [H], () => (init === 'uniform' ? uniformInit(rng, H, k) : new Float32Array(H))),
    },
    initialState: (_p, b) => ({ h: tf.zeros([b, H]) as tf.Tensor2D }),
    step: (p, s, x, ctx) => rnnStep(p, s, x, phi, ctx.extras),
  });
  return withFusedPath(cell, options.fused);
}
