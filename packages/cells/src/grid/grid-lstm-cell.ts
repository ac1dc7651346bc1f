/**
 * `gridLstmCell({ inputSize, hiddenSize, layers })`: a 2-D Grid LSTM over time × depth
 * (Kalchbrenner, Danihelka & Graves 2016) with N = `layers` blocks of depth computed within each
 * time step, as a {@link Cell}. The form implemented (no priority dimensions, untied depth
 * weights, paper's h' = tanh(g^o ⊙ m'), input projected into the bottom depth hidden) is spelled
 * out in `grid-lstm-step.ts`.
 *
 * Options: `layers` N (default 2), `forgetBias` (initial forget-gate bias of every transform,
 * default 1). Initialisation: Glorot-uniform kernels and projection, zero biases except forget.
 */
import * as tf from '@tensorflow/tfjs';
import { checkSize, createRng, glorotUniform, defineCell, rxrnnError, ErrorCodes, describe, type Cell } from '@rxrnn/core';
import { gridLstmStep, type GridLstmState, type GridLstmLayerParams } from './grid-lstm-step.js';
import { param, checkWeightNames, type WeightsInput } from '../shared/weights.js';

export interface GridLstmCellOptions {
  inputSize: number;
  hiddenSize: number;
  /** N, the blocks of depth per time step. Default 2. */
  layers?: number;
  /** Initial forget-gate bias. Default 1. */
  forgetBias?: number;
  seed?: number;
  weights?: WeightsInput;
}

export function gridLstmCell(options: GridLstmCellOptions): Cell<GridLstmState> {
  const fn = 'gridLstmCell';
  const { inputSize: X, hiddenSize: H } = options ?? ({} as GridLstmCellOptions);
  checkSize(fn, 'options.inputSize', X);
  checkSize(fn, 'options.hiddenSize', H);
  const N = options.layers ?? 2;
  checkSize(fn, 'options.layers', N);
  const forgetBias = options.forgetBias ?? 1;
  if (typeof forgetBias !== 'number' || !Number.isFinite(forgetBias)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.forgetBias', 'a finite number', describe(forgetBias));
  const names = ['inputProjection'];
  for (let n = 0; n < N; n++) for (const d of ['time', 'depth']) names.push(`layers.${n}.${d}.kernel`, `layers.${n}.${d}.bias`);
  checkWeightNames(fn, options.weights, names);
  const rng = createRng(options.seed ?? 0);
  const params: Record<string, ReturnType<typeof param>> = {
    inputProjection: param(fn, options.weights, 'inputProjection', [X, H], () => glorotUniform(rng, X, H)),
  };
  for (let n = 0; n < N; n++) {
    for (const d of ['time', 'depth']) {
      params[`layers.${n}.${d}.kernel`] = param(fn, options.weights, `layers.${n}.${d}.kernel`, [2 * H, 4 * H], () => glorotUniform(rng, 2 * H, 4 * H));
      params[`layers.${n}.${d}.bias`] = param(fn, options.weights, `layers.${n}.${d}.bias`, [4 * H], () => new Float32Array(4 * H).fill(forgetBias, H, 2 * H));
    }
  }
  return defineCell<Record<string, tf.Tensor>, GridLstmState>({
    kind: 'grid-lstm',
    inputSize: X,
    outputSize: H,
    config: { inputSize: X, hiddenSize: H, layers: N, forgetBias },
    params,
    initialState: (_p, b) => {
      const s: Record<string, tf.Tensor> = {};
      for (let n = 0; n < N; n++) {
        s[`${n}.h`] = tf.zeros([b, H]);
        s[`${n}.m`] = tf.zeros([b, H]);
      }
      return s;
    },
    step: (p, s, x, ctx) => {
      const layers: GridLstmLayerParams[] = [];
      for (let n = 0; n < N; n++) {
        layers.push({
          timeKernel: p[`layers.${n}.time.kernel`] as tf.Tensor2D,
          timeBias: p[`layers.${n}.time.bias`] as tf.Tensor1D,
          depthKernel: p[`layers.${n}.depth.kernel`] as tf.Tensor2D,
          depthBias: p[`layers.${n}.depth.bias`] as tf.Tensor1D,
        });
      }
      return gridLstmStep({ inputProjection: p.inputProjection as tf.Tensor2D, layers }, s, x, ctx.extras);
    },
  });
}
