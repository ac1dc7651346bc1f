/**
 * `rhnCell({ inputSize, hiddenSize, depth, coupled })`: a Recurrent Highway Network (Zilly et al.
 * 2017) of recurrence depth L = `depth` as a {@link Cell} (equations and parameter layout in
 * `rhn-step.ts`).
 *
 * Options: `depth` L (default 3), `coupled` (default true: carry gate c = 1 − t, as in the paper's
 * experiments; false: an independent carry gate with its own weights), `transformBias` (initial
 * bias of the transform gates, default −2: negative, so that the layers start by carrying their
 * input, as Zilly et al. recommend). Initialisation: Glorot-uniform kernels, orthogonal recurrent
 * kernels, zero biases except the transform gates'.
 */
import * as tf from '@tensorflow/tfjs';
import { checkSize, createRng, glorotUniform, orthogonal, rxrnnError, ErrorCodes, describe, defineCell, type Cell } from '@rxrnn/core';
import { rhnStep, type RhnState } from './rhn-step.js';
import { param, checkWeightNames, type WeightsInput } from '../shared/weights.js';

export interface RhnCellOptions {
  inputSize: number;
  hiddenSize: number;
  /** Recurrence depth L (highway layers per time step). Default 3. */
  depth?: number;
  /** Couple the carry gate to the transform gate, c = 1 − t. Default true. */
  coupled?: boolean;
  /** Initial transform-gate bias. Default −2. */
  transformBias?: number;
  seed?: number;
  weights?: WeightsInput;
}

export function rhnCell(options: RhnCellOptions): Cell<RhnState> {
  const fn = 'rhnCell';
  const { inputSize: X, hiddenSize: H } = options ?? ({} as RhnCellOptions);
  checkSize(fn, 'options.inputSize', X);
  checkSize(fn, 'options.hiddenSize', H);
  const L = options.depth ?? 3;
  checkSize(fn, 'options.depth', L);
  const coupled = options.coupled ?? true;
  if (typeof coupled !== 'boolean') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.coupled', 'a boolean', describe(coupled));
  const transformBias = options.transformBias ?? -2;
  if (typeof transformBias !== 'number' || !Number.isFinite(transformBias)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.transformBias', 'a finite number', describe(transformBias));
  const k = coupled ? 2 : 3;
  const names = ['kernel'];
  for (let l = 0; l < L; l++) names.push(`layers.${l}.recurrentKernel`, `layers.${l}.bias`);
  checkWeightNames(fn, options.weights, names);
  const rng = createRng(options.seed ?? 0);
  const params: Record<string, ReturnType<typeof param>> = {
    kernel: param(fn, options.weights, 'kernel', [X, k * H], () => glorotUniform(rng, X, k * H)),
  };
  for (let l = 0; l < L; l++) {
    params[`layers.${l}.recurrentKernel`] = param(fn, options.weights, `layers.${l}.recurrentKernel`, [H, k * H], () => orthogonal(rng, H, k * H));
    params[`layers.${l}.bias`] = param(fn, options.weights, `layers.${l}.bias`, [k * H], () => {
      const b = new Float32Array(k * H);
      b.fill(transformBias, H, 2 * H);
      return b;
    });
  }
  return defineCell<Record<string, tf.Tensor>, RhnState>({
    kind: 'rhn',
    inputSize: X,
    outputSize: H,
    config: { inputSize: X, hiddenSize: H, depth: L, coupled, transformBias },
    params,
    initialState: (_p, b) => ({ h: tf.zeros([b, H]) as tf.Tensor2D }),
    step: (p, s, x, ctx) => {
      const recurrentKernels: tf.Tensor2D[] = [];
      const biases: tf.Tensor1D[] = [];
      for (let l = 0; l < L; l++) {
        recurrentKernels.push(p[`layers.${l}.recurrentKernel`] as tf.Tensor2D);
        biases.push(p[`layers.${l}.bias`] as tf.Tensor1D);
      }
      return rhnStep({ kernel: p.kernel as tf.Tensor2D, recurrentKernels, biases }, s, x, coupled, ctx.extras);
    },
  });
}
