/**
 * `stackRnnCell`: the stack-augmented RNN of Joulin & Mikolov (2015) as a {@link Cell} (the step and
 * its equations: stack-rnn-step.ts).
 *
 * Parameters: `hidden.kernel` [X, H], `hidden.recurrentKernel` [H, H], `hidden.stackKernel` [K·k, H],
 * `action.kernel` [H, 3K], `push.kernel` [H, K], `output.kernel` [H, Y] (all Glorot), and their
 * biases (0). The hidden state starts at 0, every stack empty (all −1).
 *
 * ```ts
 * const cell = stackRnnCell({ inputSize: 3, outputSize: 3, hiddenSize: 40, stacks: 10, depth: 200, seed: 1 });
 * const [y, state, extras] = tf.tidy(() => cell.step(cell.initialState(1), x, { extras: true }));
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { defineCell, checkSize, checkAllocation, createRng, glorotUniform, rxrnnError, ErrorCodes, describe, type Cell, type ParamInit } from '@rxrnn/core';
import { param, checkWeightNames, type WeightsInput } from '@rxrnn/cells';
import { stackRnnStep, EMPTY, type StackRnnParams, type StackRnnSizes, type StackRnnState } from './stack-rnn-step.js';

export interface StackRnnCellOptions {
  /** X: width of an input. */
  inputSize: number;
  /** Y: width of an output (logits). */
  outputSize: number;
  /** H: hidden units. Default 40. */
  hiddenSize?: number;
  /** K: stacks. Default 1. */
  stacks?: number;
  /** D: cells per stack. Default 64. */
  depth?: number;
  /** k: top cells read of each stack. Default 2 (the paper reads the top 2). */
  readDepth?: number;
  /** Whether the hidden layer is recurrent (R). Default true. */
  recurrent?: boolean;
  seed?: number;
  weights?: WeightsInput;
}

export const STACK_RNN_WEIGHTS = [
  'hidden.kernel',
  'hidden.recurrentKernel',
  'hidden.stackKernel',
  'hidden.bias',
  'action.kernel',
  'action.bias',
  'push.kernel',
  'push.bias',
  'output.kernel',
  'output.bias',
] as const;

/** The sizes from the options (defaults filled in), checked before anything is allocated. */
export function stackRnnSizes(options: StackRnnCellOptions, fn = 'stackRnnCell'): StackRnnSizes {
  if (!options || typeof options !== 'object') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options', 'an options object', describe(options));
  const z: StackRnnSizes = {
    inputSize: options.inputSize,
    outputSize: options.outputSize,
    hiddenSize: options.hiddenSize ?? 40,
    stacks: options.stacks ?? 1,
    depth: options.depth ?? 64,
    readDepth: options.readDepth ?? 2,
    recurrent: options.recurrent ?? true,
  };
  for (const key of ['inputSize', 'outputSize', 'hiddenSize', 'stacks', 'depth', 'readDepth'] as const) checkSize(fn, `options.${key}`, z[key]);
  if (z.depth < 2) throw rxrnnError(ErrorCodes.SIZE, fn, 'options.depth', 'at least 2 cells', describe(z.depth));
  if (z.readDepth > z.depth) throw rxrnnError(ErrorCodes.SIZE, fn, 'options.readDepth', `at most depth (${z.depth})`, describe(z.readDepth));
  if (typeof z.recurrent !== 'boolean') throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.recurrent', 'a boolean', describe(z.recurrent));
  checkAllocation(fn, 'options (stacks)', z.stacks * z.depth);
  checkAllocation(fn, 'options (hidden.stackKernel)', z.stacks * z.readDepth * z.hiddenSize);
  return z;
}

export function stackRnnCell(options: StackRnnCellOptions): Cell<StackRnnState> {
  const fn = 'stackRnnCell';
  const z = stackRnnSizes(options, fn);
  checkWeightNames(fn, options.weights, STACK_RNN_WEIGHTS);
  const { inputSize: X, outputSize: Y, hiddenSize: H, stacks: K, depth: D, readDepth: k } = z;
  const rng = createRng(options.seed ?? 0);
  const w = options.weights;
  const glorot = (name: (typeof STACK_RNN_WEIGHTS)[number], a: number, b: number) => param(fn, w, name, [a, b], () => glorotUniform(rng, a, b));
  const zeros = (name: (typeof STACK_RNN_WEIGHTS)[number], n: number) => param(fn, w, name, [n], () => new Float32Array(n));
  const params: Record<(typeof STACK_RNN_WEIGHTS)[number], ParamInit> = {
    'hidden.kernel': glorot('hidden.kernel', X, H),
    'hidden.recurrentKernel': glorot('hidden.recurrentKernel', H, H),
    'hidden.stackKernel': glorot('hidden.stackKernel', K * k, H),
    'hidden.bias': zeros('hidden.bias', H),
    'action.kernel': glorot('action.kernel', H, 3 * K),
    'action.bias': zeros('action.bias', 3 * K),
    'push.kernel': glorot('push.kernel', H, K),
    'push.bias': zeros('push.bias', K),
    'output.kernel': glorot('output.kernel', H, Y),
    'output.bias': zeros('output.bias', Y),
  };
  return defineCell<StackRnnParams & Record<string, tf.Tensor>, StackRnnState>({
    kind: 'stack-rnn',
    inputSize: X,
    outputSize: Y,
    config: { ...z },
    params: params as never,
    initialState: (_p, b) => tf.tidy(() => ({ h: tf.zeros([b, H]) as tf.Tensor2D, stacks: tf.fill([b, K * D], EMPTY) as tf.Tensor2D })),
    step: (p, s, x, ctx) => stackRnnStep(p, s, x, z, ctx.extras),
  });
}
