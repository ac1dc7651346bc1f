/**
 * `stackCells`: cells in sequence, one step each per time step — the deep (stacked) RNN of the
 * lecture, and the way a whole model (embedding → LSTM → LSTM → dense) becomes one Cell:
 *
 *     y⁰_t = x_t,   y^l_t, s^l_t = cell_l(s^l_{t−1}, dropout(y^{l−1}_t))   for l = 1..L,   y_t = y^L_t
 *
 * Dropout between layers (Zaremba et al. 2014: non-recurrent connections only) applies in training
 * mode only, to the inputs of layers 2..L. State entries and parameters are prefixed by the layer:
 * state `0.h`, `0.c`, `1.h`…; parameters `layers.0.kernel`…; extras likewise `0.i`….
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, runCellSequence, type Cell, type Extras, type State, type StepResult } from '@rxrnn/core';
import { dropoutMasks } from './dropout-masks.js';

/** A dropout seed from the context's generator (seeded runs), else an unseeded one. */
const drawSeed = (ctx: { rng?: { seed(): number } }): number => ctx.rng?.seed() ?? (Math.random() * 2 ** 32) >>> 0;

export interface StackOptions {
  /** Dropout rate between layers at training time. Default 0. */
  dropout?: number;
}

export function stackCells(cells: readonly Cell[], options: StackOptions = {}): Cell {
  const fn = 'stackCells';
  if (!Array.isArray(cells) || cells.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'cells', 'a non-empty array of cells', describe(cells));
  cells.forEach((c, i) => {
    if (!c || typeof c.step !== 'function') throw rxrnnError(ErrorCodes.ARGUMENT, fn, `cells[${i}]`, 'a Cell', describe(c));
    if (i > 0 && cells[i - 1].outputSize !== c.inputSize) {
      throw rxrnnError(ErrorCodes.SIZE, fn, `cells[${i}].inputSize`, `${cells[i - 1].outputSize} (the output size of cells[${i - 1}])`, `${c.inputSize}`);
    }
  });
  const dropout = options.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'options.dropout', 'a rate in [0, 1)', describe(dropout));
  const params: Record<string, tf.Variable> = {};
  cells.forEach((c, i) => {
    for (const [k, v] of Object.entries(c.params) as [string, tf.Variable][]) params[`layers.${i}.${k}`] = v;
  });
  let disposed = false;
  const stack: Cell = {
    kind: 'stack',
    inputSize: cells[0].inputSize,
    outputSize: cells[cells.length - 1].outputSize,
    config: { kind: 'stack', dropout, layers: cells.map((c) => c.config) },
    params,
    initialState(batch) {
      const s: Record<string, tf.Tensor> = {};
      cells.forEach((c, i) => {
        for (const [k, t] of Object.entries(c.initialState(batch)) as [string, tf.Tensor][]) s[`${i}.${k}`] = t;
      });
      return s;
    },
    step(state, x, ctx = {}): StepResult {
      if (disposed) throw rxrnnError(ErrorCodes.DISPOSED, 'stack', 'cell', 'a live cell', 'a disposed cell');
      const next: Record<string, tf.Tensor> = {};
      const extras: Extras = {};
      let y = x; // [B, X]
      cells.forEach((c, i) => {
        const own: Record<string, tf.Tensor> = {};
        const prefix = `${i}.`;
        for (const [k, t] of Object.entries(state)) if (k.startsWith(prefix)) own[k.slice(prefix.length)] = t;
        if (i > 0 && ctx.training && dropout > 0) {
          const [B, X] = y.shape;
          const mask = dropoutMasks([drawSeed(ctx)], B, X, dropout); // [1, B, X]
          y = tf.mul(y, tf.reshape(mask, [B, X])) as tf.Tensor2D;
          mask.dispose();
        }
        const [yi, si, ei] = c.step(own as State, y, ctx); // yi: [B, Y_i]
        for (const [k, t] of Object.entries(si) as [string, tf.Tensor][]) next[prefix + k] = t;
        if (ei) for (const [k, t] of Object.entries(ei) as [string, tf.Tensor][]) extras[prefix + k] = t;
        y = yi;
      });
      return [y, next, ctx.extras ? extras : undefined];
    },
    // A chunk layer by layer: each layer runs all T steps (fused when it can) before the next
    // starts — the same numbers as stepping the stack, since layer l at t needs only layer l−1 at t.
    // With dropout in training, the seeds are drawn first in the order stepping draws them (step by
    // step, layer by layer), and each layer's input chunk is multiplied by the masks of its T steps:
    // the same masks as stepping, applied to the whole chunk at once.
    sequence(state, xs, ctx = {}) {
      if (disposed) throw rxrnnError(ErrorCodes.DISPOSED, 'stack', 'cell', 'a live cell', 'a disposed cell');
      const drop = !!ctx.training && dropout > 0;
      const [T, B] = xs.shape;
      const seeds = drop ? Array.from({ length: T }, () => cells.map((_, i) => (i > 0 ? drawSeed(ctx) : undefined))) : [];
      const next: Record<string, tf.Tensor> = {};
      let ys = xs; // [T, B, X]
      cells.forEach((c, i) => {
        const own: Record<string, tf.Tensor> = {};
        const prefix = `${i}.`;
        for (const [k, t] of Object.entries(state)) if (k.startsWith(prefix)) own[k.slice(prefix.length)] = t;
        if (drop && i > 0) {
          const X = ys.shape[2];
          const masks = dropoutMasks(seeds.map((sd) => sd[i] ?? 0), B, X, dropout); // [T, B, X], 0 or 1/(1−p)
          ys = tf.mul(ys, masks) as tf.Tensor3D; // [T, B, X]
        }
        const [yi, si] = runCellSequence(c, own as State, ys, ctx); // [T, B, Y_i]
        for (const [k, t] of Object.entries(si) as [string, tf.Tensor][]) next[prefix + k] = t;
        ys = yi;
      });
      return [ys, next];
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const c of cells) c.dispose();
    },
    get isDisposed() {
      return disposed;
    },
  };
  return stack;
}
