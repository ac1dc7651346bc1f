/**
 * The stack-augmented RNN of Joulin & Mikolov (2015), *Inferring Algorithmic Patterns with
 * Stack-Augmented Recurrent Nets*, §3.1 (eqs. 1–5): a sigmoid RNN that controls K stacks of D scalar
 * cells through a soft choice of PUSH, POP or NO-OP per stack, and reads each stack's top k cells.
 *
 *     h_t = σ(x_t U + h_{t−1} R + [s^1_{t−1}[0:k]; …; s^K_{t−1}[0:k]] P + b)        eq. 1 (+ the top of every stack)   [B, H]
 *     a^j_t = softmax(h_t A_j + b_A)  over (PUSH, POP, NO-OP)                           eq. 3                              [B, K, 3]
 *     s^j_t[0] = a_PUSH σ(h_t D_j + b_D) + a_POP s^j_{t−1}[1] + a_NO-OP s^j_{t−1}[0]    eq. 4: the top
 *     s^j_t[i] = a_PUSH s^j_{t−1}[i−1] + a_POP s^j_{t−1}[i+1] + a_NO-OP s^j_{t−1}[i]    eq. 5: every cell below        [B, K, D]
 *     y_t = h_t V + b_V                                                                 eq. 2 (logits; the paper's softmax is the loss's)  [B, Y]
 *
 * Below the deepest cell the stack holds the paper's "empty" value −1, which a POP brings up; a fresh
 * stack is all −1. With `recurrent: false` the net has no R (the paper's variant whose only memory is
 * the stacks). Pure: call inside `tf.tidy`. State: `h` [B, H], `stacks` [B, K·D] (stack j's cells
 * j·D … j·D + D − 1, top first). Extras: `stacks` [B, K, D], `actions` [B, K, 3].
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, type StepResult } from '@rxrnn/core';

/** The value of an empty stack cell. */
export const EMPTY = -1;

export interface StackRnnSizes {
  /** X. */
  inputSize: number;
  /** Y. */
  outputSize: number;
  /** H: hidden units. */
  hiddenSize: number;
  /** K: stacks. */
  stacks: number;
  /** D: cells per stack. */
  depth: number;
  /** k: top cells of each stack the net reads. */
  readDepth: number;
  /** Whether h_{t−1} feeds h_t (R); false: the stacks are the only memory. */
  recurrent: boolean;
}

export interface StackRnnParams {
  /** U, R, P, b of eq. 1: [X, H], [H, H], [K·k, H], [H]. */
  'hidden.kernel': tf.Tensor2D;
  'hidden.recurrentKernel': tf.Tensor2D;
  'hidden.stackKernel': tf.Tensor2D;
  'hidden.bias': tf.Tensor1D;
  /** A of eq. 3 for every stack: [H, 3K], [3K] (stack j's PUSH, POP, NO-OP at 3j … 3j + 2). */
  'action.kernel': tf.Tensor2D;
  'action.bias': tf.Tensor1D;
  /** D of eq. 4 for every stack: [H, K], [K]. */
  'push.kernel': tf.Tensor2D;
  'push.bias': tf.Tensor1D;
  /** V of eq. 2: [H, Y], [Y]. */
  'output.kernel': tf.Tensor2D;
  'output.bias': tf.Tensor1D;
}

export type StackRnnState = {
  h: tf.Tensor2D; // [B, H]
  stacks: tf.Tensor2D; // [B, K·D]
};

export function stackRnnStep(p: StackRnnParams, s: StackRnnState, x: tf.Tensor2D, z: StackRnnSizes, extras = false): StepResult<StackRnnState> {
  const { inputSize: X, stacks: K, depth: D, readDepth: k } = z;
  if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.shape[1] !== X) throw rxrnnError(ErrorCodes.SHAPE, 'stackRnnStep', 'x', `a tensor of shape [B, ${X}]`, describe(x));
  const B = x.shape[0];
  if (s.stacks?.shape?.[0] !== B || s.stacks.shape[1] !== K * D) throw rxrnnError(ErrorCodes.SHAPE, 'stackRnnStep', 'state.stacks', `a tensor of shape [${B}, ${K * D}]`, describe(s.stacks));

  const prev = tf.reshape(s.stacks, [B, K, D]) as tf.Tensor3D; // [B, K, D]
  const tops = tf.reshape(tf.slice(prev, [0, 0, 0], [B, K, k]), [B, K * k]) as tf.Tensor2D; // [B, K·k]
  let pre = tf.add(tf.add(tf.matMul(x, p['hidden.kernel']), tf.matMul(tops, p['hidden.stackKernel'])), p['hidden.bias']); // [B, H]
  if (z.recurrent) pre = tf.add(pre, tf.matMul(s.h, p['hidden.recurrentKernel']));
  const h = tf.sigmoid(pre) as tf.Tensor2D; // eq. 1   [B, H]

  const actions = tf.softmax(tf.reshape(tf.add(tf.matMul(h, p['action.kernel']), p['action.bias']), [B, K, 3])) as tf.Tensor3D; // eq. 3   [B, K, 3]
  const [aPush, aPop, aNoop] = tf.split(actions, 3, 2) as tf.Tensor3D[]; // 3 × [B, K, 1]
  const pushed = tf.reshape(tf.sigmoid(tf.add(tf.matMul(h, p['push.kernel']), p['push.bias'])), [B, K, 1]); // σ(h D_j)   [B, K, 1]
  const down = tf.concat([pushed, tf.slice(prev, [0, 0, 0], [B, K, D - 1])], 2); // after a PUSH: s[i−1], the new top   [B, K, D]
  const up = tf.concat([tf.slice(prev, [0, 0, 1], [B, K, D - 1]), tf.fill([B, K, 1], EMPTY)], 2); // after a POP: s[i+1], −1 below   [B, K, D]
  const next = tf.addN([tf.mul(aPush, down), tf.mul(aPop, up), tf.mul(aNoop, prev)]) as tf.Tensor3D; // eqs. 4–5   [B, K, D]

  const y = tf.add(tf.matMul(h, p['output.kernel']), p['output.bias']) as tf.Tensor2D; // eq. 2   [B, Y]
  const state: StackRnnState = { h, stacks: tf.reshape(next, [B, K * D]) as tf.Tensor2D };
  return [y, state, extras ? { stacks: next, actions } : undefined];
}
