/**
 * `layerNormLstmCell`: the layer-normalised LSTM of Ba, Kiros & Hinton 2016 as a {@link Cell} of
 * kind `'layernorm-lstm'`. Equations: see `layernorm-lstm-step.ts`.
 *
 * Parameters (gate order i, f, g, o): `kernel` [X, 4H], `recurrentKernel` [H, 4H], `bias` [4H];
 * LN gains/biases `lnInputGain`, `lnInputBias` [4H] (α₂, β₂ on x K), `lnRecurrentGain`,
 * `lnRecurrentBias` [4H] (α₁, β₁ on h R), `lnCellGain`, `lnCellBias` [H] (α₃, β₃ on c_t).
 * Default initialisation: Glorot-uniform kernel, orthogonal recurrent kernel, gains 1, LN biases 0,
 * `bias` 0 except the forget gate's, `forgetBias` (default 1).
 * Config: `{ kind: 'layernorm-lstm', inputSize, hiddenSize, epsilon }`; state `h`, `c` [B, H].
 */
import * as tf from '@tensorflow/tfjs';
import { defineCell, checkSize, createRng, glorotUniform, orthogonal, constantInit, rxrnnError, ErrorCodes, describe, type Cell } from '@rxrnn/core';
import { layerNormLstmStep, type LayerNormLstmParams, type LayerNormLstmState } from './layernorm-lstm-step.js';
import { param, checkWeightNames, type WeightsInput } from '../shared/weights.js';

export interface LayerNormLstmCellOptions {
  inputSize: number;
  hiddenSize: number;
  /** Initial forget-gate bias. Default 1. */
  forgetBias?: number;
  /** ε in LN's √(σ² + ε). Default 1e-5. */
  epsilon?: number;
  seed?: number;
  weights?: WeightsInput;
}

export const LAYERNORM_LSTM_WEIGHTS = ['kernel', 'recurrentKernel', 'bias', 'lnInputGain', 'lnInputBias', 'lnRecurrentGain', 'lnRecurrentBias', 'lnCellGain', 'lnCellBias'] as const;

export function layerNormLstmCell(options: LayerNormLstmCellOptions): Cell<LayerNormLstmState> {
  const fn = 'layerNormLstmCell';
  const { inputSize: X, hiddenSize: H } = options ?? ({} as LayerNormLstmCellOptions);
  checkSize(fn, 'options.inputSize', X);
  checkSize(fn, 'options.hiddenSize', H);
  const epsilon = options.epsilon ?? 1e-5;
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.epsilon', 'a positive finite number', describe(epsilon));
  checkWeightNames(fn, options.weights, LAYERNORM_LSTM_WEIGHTS);
  const rng = createRng(options.seed ?? 0);
  const forgetBias = options.forgetBias ?? 1;
  const w = options.weights;
  const params = {
    kernel: param(fn, w, 'kernel', [X, 4 * H], () => glorotUniform(rng, X, 4 * H)),
    recurrentKernel: param(fn, w, 'recurrentKernel', [H, 4 * H], () => orthogonal(rng, H, 4 * H)),
    bias: param(fn, w, 'bias', [4 * H], () => new Float32Array(4 * H).fill(forgetBias, H, 2 * H)),
    lnInputGain: param(fn, w, 'lnInputGain', [4 * H], () => constantInit(4 * H, 1)),
    lnInputBias: param(fn, w, 'lnInputBias', [4 * H], () => constantInit(4 * H, 0)),
    lnRecurrentGain: param(fn, w, 'lnRecurrentGain', [4 * H], () => constantInit(4 * H, 1)),
    lnRecurrentBias: param(fn, w, 'lnRecurrentBias', [4 * H], () => constantInit(4 * H, 0)),
    lnCellGain: param(fn, w, 'lnCellGain', [H], () => constantInit(H, 1)),
    lnCellBias: param(fn, w, 'lnCellBias', [H], () => constantInit(H, 0)),
  };
  return defineCell<LayerNormLstmParams & Record<string, tf.Tensor>, LayerNormLstmState>({
    kind: 'layernorm-lstm',
    inputSize: X,
    outputSize: H,
    config: { inputSize: X, hiddenSize: H, epsilon },
    params: params as never,
    initialState: (_p, b) => ({ h: tf.zeros([b, H]) as tf.Tensor2D, c: tf.zeros([b, H]) as tf.Tensor2D }),
    step: (p, s, x, ctx) => layerNormLstmStep(p, s, x, epsilon, ctx.extras),
  });
}
