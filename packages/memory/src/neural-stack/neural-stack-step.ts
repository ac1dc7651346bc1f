/**
 * A recurrent net with a continuous stack, queue or deque (Grefenstette et al. 2015, §3.4 and Fig. 2),
 * the controller an LSTM (the `lstmStep` of @rxrnn/cells). With value width m, capacity N, and E ends
 * (1 for a stack or queue, 2 for a deque: top, then bottom):
 *
 *     h_t, c_t = LSTM([i_t; r_{t−1}], h_{t−1}, c_{t−1})          the controller sees the input and the last read   [B, H]
 *     ξ_t = h_t K_ξ + b_ξ                                         per end [d̂ | û | v̂]                              [B, E (2 + m)]
 *     d_t = σ(d̂), u_t = σ(û), v_t = tanh(v̂)                      push strength, pop strength, value                 [B, 1], [B, 1], [B, m]
 *     (V_t, s_t, r_t) = structure(V_{t−1}, s_{t−1}; u_t, d_t, v_t)  pop, push, read (structures.ts, eqs. 1–3)         r_t [B, E·m]
 *     y_t = h_t K_y + b_y                                         logits                                            [B, Y]
 *
 * The paper computes an intermediate o′_t = W h_t + b and every control and the output from it; one
 * linear map followed by another is linear, so here each comes straight from h_t. Its output
 * o_t = tanh(W_o o′_t + b_o) is given here as logits (a loss takes them), and, as in the paper, the read
 * r_t reaches the output through the next step's controller. The structure starts empty (every
 * strength 0) and r_0 = 0, as in the paper.
 *
 * State tensors are 2-D ([B, ·]) like every cell's: `values` [B, C·m], `strengths` [B, C], `reads`
 * [B, E·m] (C = N rows, 2N for a deque). With extras: `strengths` [B, C], `values` [B, C, m],
 * `readWeights` [B, E, C], `reads` [B, E, m], `push` and `pop` [B, E]. Pure: call inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, getActivation, type StepResult } from '@rxrnn/core';
import { lstmStep } from '@rxrnn/cells';
import { stackStep, queueStep, dequeStep, type EndControls } from './structures.js';

export type StructureKind = 'stack' | 'queue' | 'deque';

export interface NeuralStackSizes {
  /** X. */
  inputSize: number;
  /** Y. */
  outputSize: number;
  /** H: the LSTM controller's size. */
  controllerSize: number;
  /** m: the width of a value. */
  valueSize: number;
  /** N: rows the structure keeps (2N for a deque, N per end). */
  capacity: number;
  structure: StructureKind;
}

export interface NeuralStackParams {
  /** The controller LSTM (gate order i, f, g, o): [X + E·m, 4H], [H, 4H], [4H]. */
  'controller.kernel': tf.Tensor2D;
  'controller.recurrentKernel': tf.Tensor2D;
  'controller.bias': tf.Tensor1D;
  /** The structure's controls from h_t: [H, E (2 + m)], [E (2 + m)]. */
  'interface.kernel': tf.Tensor2D;
  'interface.bias': tf.Tensor1D;
  /** The output from h_t: [H, Y], [Y]. */
  'output.kernel': tf.Tensor2D;
  'output.bias': tf.Tensor1D;
}

export type NeuralStackState = {
  h: tf.Tensor2D; // [B, H]
  c: tf.Tensor2D; // [B, H]
  values: tf.Tensor2D; // [B, C·m]
  strengths: tf.Tensor2D; // [B, C]
  reads: tf.Tensor2D; // [B, E·m]
};

/** E: the ends a structure is pushed, popped and read at. */
export const structureEnds = (kind: StructureKind): number => (kind === 'deque' ? 2 : 1);
/** C: the rows of a structure's buffer. */
export const structureRows = (z: Pick<NeuralStackSizes, 'capacity' | 'structure'>): number => z.capacity * structureEnds(z.structure);
/** The width of the controls ξ_t: E (2 + m). */
export const interfaceWidth = (z: Pick<NeuralStackSizes, 'valueSize' | 'structure'>): number => structureEnds(z.structure) * (2 + z.valueSize);

const sigmoid = getActivation('sigmoid');
const tanh = getActivation('tanh');

export function neuralStackStep(p: NeuralStackParams, s: NeuralStackState, x: tf.Tensor2D, z: NeuralStackSizes, extras = false): StepResult<NeuralStackState> {
  const { inputSize: X, valueSize: m } = z;
  const E = structureEnds(z.structure);
  const C = structureRows(z);
  if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.shape[1] !== X) throw rxrnnError(ErrorCodes.SHAPE, 'neuralStackStep', 'x', `a tensor of shape [B, ${X}]`, describe(x));
  const B = x.shape[0];
  if (s.strengths?.shape?.[0] !== B || s.strengths.shape[1] !== C) throw rxrnnError(ErrorCodes.SHAPE, 'neuralStackStep', 'state.strengths', `a tensor of shape [${B}, ${C}]`, describe(s.strengths));

  // Controller: an LSTM on [i_t; r_{t−1}].
  const input = tf.concat([x, s.reads], 1) as tf.Tensor2D; // [B, X + E·m]
  const [h, ctrl] = lstmStep({ kernel: p['controller.kernel'], recurrentKernel: p['controller.recurrentKernel'], bias: p['controller.bias'] }, { h: s.h, c: s.c }, input, tanh, sigmoid);

  // The controls, per end [d̂ | û | v̂].
  const xi = tf.add(tf.matMul(h, p['interface.kernel']), p['interface.bias']) as tf.Tensor2D; // [B, E (2 + m)]
  const parts = tf.split(xi, Array.from({ length: E }, () => [1, 1, m]).flat(), 1) as tf.Tensor2D[];
  const ends: EndControls[] = [];
  for (let e = 0; e < E; e++) ends.push({ d: tf.sigmoid(parts[3 * e]), u: tf.sigmoid(parts[3 * e + 1]), v: tf.tanh(parts[3 * e + 2]) } as EndControls);

  const prev = { values: tf.reshape(s.values, [B, C, m]) as tf.Tensor3D, strengths: s.strengths };
  let next;
  let reads: tf.Tensor2D[];
  let weights: tf.Tensor2D[];
  if (z.structure === 'deque') {
    const r = dequeStep(prev, ends[0], ends[1]);
    next = r.next;
    reads = [r.readTop, r.readBottom];
    weights = [r.weightsTop, r.weightsBottom];
  } else {
    const r = (z.structure === 'stack' ? stackStep : queueStep)(prev, ends[0]);
    next = r.next;
    reads = [r.read];
    weights = [r.weights];
  }
  const readsFlat = (E === 1 ? reads[0] : tf.concat(reads, 1)) as tf.Tensor2D; // [B, E·m]
  const y = tf.add(tf.matMul(h, p['output.kernel']), p['output.bias']) as tf.Tensor2D; // [B, Y]

  const state: NeuralStackState = { h: ctrl.h, c: ctrl.c, values: tf.reshape(next.values, [B, C * m]) as tf.Tensor2D, strengths: next.strengths, reads: readsFlat };
  const ex = extras
    ? {
        strengths: next.strengths, // [B, C]
        values: next.values, // [B, C, m]
        readWeights: tf.stack(weights, 1), // [B, E, C]
        reads: tf.reshape(readsFlat, [B, E, m]), // [B, E, m]
        push: E === 1 ? ends[0].d : tf.concat(ends.map((c) => c.d), 1), // [B, E]
        pop: E === 1 ? ends[0].u : tf.concat(ends.map((c) => c.u), 1), // [B, E]
      }
    : undefined;
  return [y, state, ex];
}
