/**
 * The continuous stack, queue and deque of Grefenstette, Hermann, Suleyman & Blunsom (2015),
 * *Learning to Transduce with Unbounded Memory*, §3: a sequence of value vectors V [N, m], each with a
 * strength s ∈ [0, 1] saying how much of it is still "in" the structure. Each step first pops (removes
 * strength u from one end, reaching down through as many rows as it takes), then pushes one new row
 * v with strength d, then reads: a weighted sum of the rows nearest the read end whose strengths add
 * up to 1.
 *
 * Stack (eqs. 1–3; rows in push order, index t the newest):
 *
 *     V_t[i] = V_{t−1}[i] (i < t),  V_t[t] = v_t                                            (1)
 *     s_t[i] = max(0, s_{t−1}[i] − max(0, u_t − Σ_{j=i+1}^{t−1} s_{t−1}[j])) (i < t),  s_t[t] = d_t   (2)
 *     r_t = Σ_{i=1}^{t} min(s_t[i], max(0, 1 − Σ_{j=i+1}^{t} s_t[j])) · V_t[i]             (3)
 *
 * The queue (§3.2) pops and reads at the other end (the sums run over j < i), and the deque (§3.3)
 * pushes, pops and reads at both: a top (u^top, d^top, v^top, r^top) and a bottom (u^bot, d^bot, v^bot,
 * r^bot), each pop removing strength from its own end of the old sequence.
 *
 * **Fixed capacity, no pointer.** The paper's structures grow by a row per step. Here a structure is a
 * buffer of N rows (`capacity`) in push order, newest at the end: a push drops the buffer's first row
 * and appends, so every row of a batch (streams at different steps) moves together, with no step
 * counter in the state. A fresh buffer holds N rows of strength 0, which no pop or read sees, so for
 * the first N steps the numbers are exactly the paper's. Later, the oldest row is dropped: for a stack
 * that is the bottom of the stack, for a queue its front. A deque keeps 2N rows in order from bottom
 * to top, [bottom pushes, newest first | top pushes, oldest first]; a push at each end drops the row on
 * its side of the middle (its half's oldest), so it too is exact for N steps.
 *
 * Pure (no RxJS); call inside `tf.tidy`. Shapes: values [B, C, m], strengths [B, C] (C = N for a
 * stack or queue, 2N for a deque), u, d [B, 1], v [B, m].
 */
import * as tf from '@tensorflow/tfjs';

/** Σ_{j>i} s[j] per row: the strength above row i (toward the newest end). [B, C] */
export const strengthAbove = (s: tf.Tensor2D): tf.Tensor2D => tf.cumsum(s, 1, true, true) as tf.Tensor2D;
/** Σ_{j<i} s[j] per row: the strength below row i (toward the oldest end). [B, C] */
export const strengthBelow = (s: tf.Tensor2D): tf.Tensor2D => tf.cumsum(s, 1, true, false) as tf.Tensor2D;

/** What a pop of u [B, 1] leaves of each row, given the strength between the row and the pop's end: max(0, u − Σ). [B, C] */
const popped = (u: tf.Tensor2D, between: tf.Tensor2D): tf.Tensor2D => tf.relu(tf.sub(u, between)) as tf.Tensor2D;

/** The read weights from the strength between each row and the read's end: min(s[i], max(0, 1 − Σ)) (eq. 3). [B, C] */
export const readWeights = (s: tf.Tensor2D, between: tf.Tensor2D): tf.Tensor2D => tf.minimum(s, tf.relu(tf.sub(1, between))) as tf.Tensor2D;

/** r = Σ_i w[i] V[i]: [B, C] × [B, C, m] → [B, m]. */
export function readRows(values: tf.Tensor3D, w: tf.Tensor2D): tf.Tensor2D {
  const [B, , m] = values.shape;
  return tf.reshape(tf.matMul(tf.expandDims(w, 1) as tf.Tensor3D, values), [B, m]) as tf.Tensor2D;
}

/** The state of a structure: its rows and their strengths. */
export interface Structure {
  values: tf.Tensor3D; // [B, C, m]
  strengths: tf.Tensor2D; // [B, C]
}

/** One end's controls for a step: pop strength u, push strength d (both in [0, 1]), pushed value v. */
export interface EndControls {
  u: tf.Tensor2D; // [B, 1]
  d: tf.Tensor2D; // [B, 1]
  v: tf.Tensor2D; // [B, m]
}

/** Rows `start … start + count − 1` (axis 1) of a [B, C] or [B, C, m] tensor. */
function rows<T extends tf.Tensor>(t: T, start: number, count: number): T {
  const begin = t.shape.map((_, a) => (a === 1 ? start : 0));
  const size = t.shape.map((_, a) => (a === 1 ? count : -1));
  return tf.slice(t, begin, size) as T;
}

/** Drop the first row and append `row` at the end (a push onto the newest end of a buffer). */
function shiftIn<T extends tf.Tensor>(buffer: T, row: tf.Tensor): T {
  const C = buffer.shape[1]!;
  return tf.concat([rows(buffer, 1, C - 1), tf.expandDims(row, 1)], 1) as T;
}

/** The stack (eqs. 1–3): pop u from the top, push v with strength d, read the top. */
export function stackStep(prev: Structure, c: EndControls): { next: Structure; read: tf.Tensor2D; weights: tf.Tensor2D } {
  const kept = tf.relu(tf.sub(prev.strengths, popped(c.u, strengthAbove(prev.strengths)))) as tf.Tensor2D; // eq. 2, i < t   [B, N]
  const strengths = shiftIn(kept, tf.reshape(c.d, [-1])); // eq. 2, s_t[t] = d_t                 [B, N]
  const values = shiftIn(prev.values, c.v); // eq. 1                                              [B, N, m]
  const weights = readWeights(strengths, strengthAbove(strengths)); // eq. 3                       [B, N]
  return { next: { values, strengths }, read: readRows(values, weights), weights };
}

/** The queue (§3.2): pop u from the front (the oldest rows), push v at the back, read the front. */
export function queueStep(prev: Structure, c: EndControls): { next: Structure; read: tf.Tensor2D; weights: tf.Tensor2D } {
  const kept = tf.relu(tf.sub(prev.strengths, popped(c.u, strengthBelow(prev.strengths)))) as tf.Tensor2D; // [B, N]
  const strengths = shiftIn(kept, tf.reshape(c.d, [-1])); // [B, N]
  const values = shiftIn(prev.values, c.v); // [B, N, m]
  const weights = readWeights(strengths, strengthBelow(strengths)); // [B, N]
  return { next: { values, strengths }, read: readRows(values, weights), weights };
}

/**
 * The deque (§3.3): pop u^top from the top and u^bot from the bottom of the old sequence (each end's
 * pop reaches in from its side), push v^top on top and v^bot at the bottom, read both ends.
 * Rows: 2N, bottom first; reads [B, m] each, weights [B, 2N] each.
 */
export function dequeStep(
  prev: Structure,
  top: EndControls,
  bottom: EndControls,
): { next: Structure; readTop: tf.Tensor2D; readBottom: tf.Tensor2D; weightsTop: tf.Tensor2D; weightsBottom: tf.Tensor2D } {
  const s = prev.strengths; // [B, 2N]
  const C = s.shape[1];
  const N = C / 2;
  const kept = tf.relu(tf.sub(tf.sub(s, popped(top.u, strengthAbove(s))), popped(bottom.u, strengthBelow(s)))) as tf.Tensor2D; // [B, 2N]
  // Pushes: [d^bot | rows 0 … N−2 | rows N+1 … 2N−1 | d^top] — each half drops its row next to the middle.
  const around = <T extends tf.Tensor>(t: T, b: tf.Tensor, tp: tf.Tensor): T =>
    tf.concat([tf.expandDims(b, 1), rows(t, 0, N - 1), rows(t, N + 1, N - 1), tf.expandDims(tp, 1)], 1) as T;
  const strengths = around(kept, tf.reshape(bottom.d, [-1]), tf.reshape(top.d, [-1])); // [B, 2N]
  const values = around(prev.values, bottom.v, top.v); // [B, 2N, m]
  const weightsTop = readWeights(strengths, strengthAbove(strengths)); // [B, 2N]
  const weightsBottom = readWeights(strengths, strengthBelow(strengths)); // [B, 2N]
  return { next: { values, strengths }, readTop: readRows(values, weightsTop), readBottom: readRows(values, weightsBottom), weightsTop, weightsBottom };
}
