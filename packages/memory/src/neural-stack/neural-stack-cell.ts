/**
 * `neuralStackCell`: an LSTM with a continuous stack, queue or deque (Grefenstette et al. 2015) as a
 * {@link Cell} (the step and its equations: neural-stack-step.ts; the structures: structures.ts).
 *
 * Parameters: `controller.kernel` [X + E·m, 4H] (Glorot), `controller.recurrentKernel` [H, 4H]
 * (orthogonal), `controller.bias` [4H] (forget gate 1); `interface.kernel` [H, E (2 + m)] (Glorot),
 * `interface.bias` (0: every push and pop starts at strength ½); `output.kernel` [H, Y] (Glorot),
 * `output.bias` [Y] (0). E = 1 end for a stack or queue, 2 for a deque.
 *
 * ```ts
 * const cell = neuralStackCell({ structure: 'stack', inputSize: 10, outputSize: 10, valueSize: 16, controllerSize: 64, capacity: 40, seed: 1 });
 * const [y, state, extras] = tf.tidy(() => cell.step(cell.initialState(1), x, { extras: true }));
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { defineCell, checkSize, checkAllocation, createRng, glorotUniform, orthogonal, rxrnnError, ErrorCodes, describe, type Cell, type ParamInit } from '@rxrnn/core';
import { param, checkWeightNames, type WeightsInput } from '@rxrnn/cells';
import { neuralStackStep, interfaceWidth, structureEnds, structureRows, type NeuralStackParams, type NeuralStackSizes, type NeuralStackState, type StructureKind } from './neural-stack-step.js';

export interface NeuralStackCellOptions {
  /** `'stack'` (default), `'queue'` or `'deque'`. */
  structure?: StructureKind;
  /** X: width of an input. */
  inputSize: number;
  /** Y: width of an output (logits). */
  outputSize: number;
  /** H: the LSTM controller's size. Default 64. */
  controllerSize?: number;
  /** m: width of a pushed value. Default 16. */
  valueSize?: number;
  /** N: the steps the structure remembers (rows; per end for a deque). Default 64. */
  capacity?: number;
  seed?: number;
  weights?: WeightsInput;
}

export const NEURAL_STACK_WEIGHTS = ['controller.kernel', 'controller.recurrentKernel', 'controller.bias', 'interface.kernel', 'interface.bias', 'output.kernel', 'output.bias'] as const;

const STRUCTURES: readonly StructureKind[] = ['stack', 'queue', 'deque'];

/** The sizes from the options (defaults filled in), checked before anything is allocated. */
export function neuralStackSizes(options: NeuralStackCellOptions, fn = 'neuralStackCell'): NeuralStackSizes {
  if (!options || typeof options !== 'object') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options', 'an options object', describe(options));
  const z: NeuralStackSizes = {
    structure: options.structure ?? 'stack',
    inputSize: options.inputSize,
    outputSize: options.outputSize,
    controllerSize: options.controllerSize ?? 64,
    valueSize: options.valueSize ?? 16,
    capacity: options.capacity ?? 64,
  };
  if (!STRUCTURES.includes(z.structure)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.structure', `one of ${STRUCTURES.map((s) => `'${s}'`).join(', ')}`, describe(z.structure));
  for (const k of ['inputSize', 'outputSize', 'controllerSize', 'valueSize', 'capacity'] as const) checkSize(fn, `options.${k}`, z[k]);
  if (z.capacity < 2) throw rxrnnError(ErrorCodes.SIZE, fn, 'options.capacity', 'at least 2 rows', describe(z.capacity));
  const { inputSize: X, valueSize: m, controllerSize: H } = z;
  const E = structureEnds(z.structure);
  checkAllocation(fn, 'options (controller.kernel)', (X + E * m) * 4 * H);
  checkAllocation(fn, 'options (values)', structureRows(z) * m);
  return z;
}

export function neuralStackCell(options: NeuralStackCellOptions): Cell<NeuralStackState> {
  const fn = 'neuralStackCell';
  const z = neuralStackSizes(options, fn);
  checkWeightNames(fn, options.weights, NEURAL_STACK_WEIGHTS);
  const { inputSize: X, outputSize: Y, valueSize: m, controllerSize: H } = z;
  const E = structureEnds(z.structure);
  const C = structureRows(z);
  const P = interfaceWidth(z);
  const rng = createRng(options.seed ?? 0);
  const w = options.weights;
  const params: Record<(typeof NEURAL_STACK_WEIGHTS)[number], ParamInit> = {
    'controller.kernel': param(fn, w, 'controller.kernel', [X + E * m, 4 * H], () => glorotUniform(rng, X + E * m, 4 * H)),
    'controller.recurrentKernel': param(fn, w, 'controller.recurrentKernel', [H, 4 * H], () => orthogonal(rng, H, 4 * H)),
    'controller.bias': param(fn, w, 'controller.bias', [4 * H], () => new Float32Array(4 * H).fill(1, H, 2 * H)),
    'interface.kernel': param(fn, w, 'interface.kernel', [H, P], () => glorotUniform(rng, H, P)),
    'interface.bias': param(fn, w, 'interface.bias', [P], () => new Float32Array(P)),
    'output.kernel': param(fn, w, 'output.kernel', [H, Y], () => glorotUniform(rng, H, Y)),
    'output.bias': param(fn, w, 'output.bias', [Y], () => new Float32Array(Y)),
  };
  return defineCell<NeuralStackParams & Record<string, tf.Tensor>, NeuralStackState>({
    kind: 'neural-stack',
    inputSize: X,
    outputSize: Y,
    config: { ...z, controller: 'lstm' },
    params: params as never,
    initialState: (_p, b) =>
      tf.tidy(() => ({
        h: tf.zeros([b, H]) as tf.Tensor2D,
        c: tf.zeros([b, H]) as tf.Tensor2D,
        values: tf.zeros([b, C * m]) as tf.Tensor2D,
        strengths: tf.zeros([b, C]) as tf.Tensor2D,
        reads: tf.zeros([b, E * m]) as tf.Tensor2D,
      })),
    step: (p, s, x, ctx) => neuralStackStep(p, s, x, z, ctx.extras),
  });
}
