/**
 * A bidirectional recurrent model (Schuster & Paliwal 1997) over a finite sequence x_1..x_T:
 *
 *     →h_t = cell_f(→h_{t−1}, x_t)   for t = 1..T          (forward cell, forward in time)
 *     ←h_t = cell_b(←h_{t+1}, x_t)   for t = T..1          (backward cell, over the reversed sequence)
 *     y_t  = merge(→y_t, ←y_t)                             concat [B, Y_f + Y_b] | sum | mul | ave [B, Y]
 *
 * Stacked as PyTorch's `bidirectional=True, num_layers=L`: layer l+1 reads the concatenation
 * [→y_t, ←y_t] of layer l; `merge` applies to the last layer's output only.
 *
 * This is not a step-wise Cell: ←h_t needs x_{t..T}, so the whole sequence must be known first.
 * `runBidirectional` is the pure sequence function (run it inside `tf.tidy`, or let it tidy
 * itself, as it does); the `bidirectional()` operator buffers a stream and calls it on completion.
 */
import * as tf from '@tensorflow/tfjs';
import { rxrnnError, ErrorCodes, describe, type Cell, type CellConfig, type State, type StepContext } from '@rxrnn/core';

export type BidirectionalMerge = 'concat' | 'sum' | 'mul' | 'ave';
export const BIDIRECTIONAL_MERGES: readonly BidirectionalMerge[] = ['concat', 'sum', 'mul', 'ave'];

/** One layer: a forward cell and a backward cell reading the same input. */
export interface BidirectionalLayer {
  readonly forward: Cell;
  readonly backward: Cell;
}

/**
 * What `fromTorch(…, { bidirectional: true })` returns and `bidirectional()` runs: stacked
 * forward/backward cell pairs and a merge of the last layer. It owns its cells: `dispose()` frees them.
 */
export interface BidirectionalModel {
  readonly kind: 'bidirectional';
  /** X of the input `[B, X]`. */
  readonly inputSize: number;
  /** Width of a merged output: Y_f + Y_b for concat, Y otherwise. */
  readonly outputSize: number;
  readonly merge: BidirectionalMerge;
  readonly layers: readonly BidirectionalLayer[];
  /** Parameters by name: `layers.0.forward.kernel`, `layers.1.backward.bias`, … */
  readonly params: Readonly<Record<string, tf.Variable>>;
  readonly config: CellConfig;
  dispose(): void;
  readonly isDisposed: boolean;
}

export interface BidirectionalModelOptions {
  /** How the last layer's two outputs combine. Default `'concat'` (PyTorch's only choice; Keras' default). */
  merge?: BidirectionalMerge;
}

/** Check a merge name. */
export function checkMerge(fn: string, merge: unknown): BidirectionalMerge {
  if (!BIDIRECTIONAL_MERGES.includes(merge as BidirectionalMerge)) {
    throw rxrnnError(ErrorCodes.UNKNOWN, fn, 'options.merge', `one of ${BIDIRECTIONAL_MERGES.map((m) => `'${m}'`).join(', ')}`, describe(merge));
  }
  return merge as BidirectionalMerge;
}

/** Check that the layers fit together; returns [inputSize, outputSize]. */
export function checkBidirectionalLayers(fn: string, layers: readonly BidirectionalLayer[], merge: BidirectionalMerge): [number, number] {
  if (!Array.isArray(layers) || layers.length === 0) throw rxrnnError(ErrorCodes.ARGUMENT, fn, 'layers', 'a non-empty array of { forward, backward } cells', describe(layers));
  let width = 0;
  layers.forEach((layer, l) => {
    for (const dir of ['forward', 'backward'] as const) {
      const c = layer?.[dir];
      if (!c || typeof c.step !== 'function' || typeof c.initialState !== 'function') throw rxrnnError(ErrorCodes.ARGUMENT, fn, `layers[${l}].${dir}`, 'a Cell', describe(c));
      if (c.isDisposed) throw rxrnnError(ErrorCodes.DISPOSED, fn, `layers[${l}].${dir}`, 'a live cell', 'a disposed cell');
    }
    const { forward: f, backward: b } = layer;
    if (f.inputSize !== b.inputSize) throw rxrnnError(ErrorCodes.SIZE, fn, `layers[${l}].backward.inputSize`, `${f.inputSize} (the forward cell's)`, `${b.inputSize}`);
    if (l > 0 && f.inputSize !== width) throw rxrnnError(ErrorCodes.SIZE, fn, `layers[${l}].forward.inputSize`, `${width} (both directions of layer ${l - 1}, concatenated)`, `${f.inputSize}`);
    width = f.outputSize + b.outputSize;
  });
  const last = layers[layers.length - 1];
  if (merge !== 'concat' && last.forward.outputSize !== last.backward.outputSize) {
    throw rxrnnError(ErrorCodes.SIZE, fn, 'layers[last].backward.outputSize', `${last.forward.outputSize} (the forward cell's, for merge '${merge}')`, `${last.backward.outputSize}`);
  }
  return [layers[0].forward.inputSize, merge === 'concat' ? width : last.forward.outputSize];
}

/** Bundle forward/backward cell pairs into a {@link BidirectionalModel} that owns them. */
export function bidirectionalModel(layers: readonly BidirectionalLayer[], options: BidirectionalModelOptions = {}): BidirectionalModel {
  const fn = 'bidirectionalModel';
  const merge = checkMerge(fn, options.merge ?? 'concat');
  const [inputSize, outputSize] = checkBidirectionalLayers(fn, layers, merge);
  const params: Record<string, tf.Variable> = {};
  layers.forEach((layer, l) => {
    for (const dir of ['forward', 'backward'] as const) for (const [k, v] of Object.entries(layer[dir].params)) params[`layers.${l}.${dir}.${k}`] = v;
  });
  let disposed = false;
  return {
    kind: 'bidirectional',
    inputSize,
    outputSize,
    merge,
    layers: layers.slice(),
    params,
    config: { kind: 'bidirectional', merge, layers: layers.map((l) => ({ forward: l.forward.config, backward: l.backward.config })) },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const l of layers) {
        l.forward.dispose();
        l.backward.dispose();
      }
    },
    get isDisposed() {
      return disposed;
    },
  };
}

/** Combine the two directions' outputs at one step. */
export function mergeDirections(merge: BidirectionalMerge, f: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  switch (merge) {
    case 'concat':
      return tf.concat([f, b], 1); // [B, Y_f + Y_b]
    case 'sum':
      return tf.add(f, b); // [B, Y]
    case 'mul':
      return tf.mul(f, b); // [B, Y]
    default:
      return tf.mul(tf.add(f, b), 0.5); // [B, Y]
  }
}

export interface BidirectionalRunOptions {
  /** Also return, per step t, the state of every cell after it read x_t (keys `0.forward.h`, `0.backward.c`, …). */
  states?: boolean;
  ctx?: StepContext;
}

export interface BidirectionalRun {
  /** Merged outputs y_1..y_T, each `[B, Y]`. */
  ys: tf.Tensor2D[];
  /** With `states`: per step, copies of the states. The backward cell's final state is at t = 0. */
  states?: State[];
}

/**
 * Run a bidirectional model over a whole sequence `xs` (T tensors `[B, X]`, not consumed).
 * Pure and differentiable; intermediate tensors are tidied; the returned ones belong to the caller.
 */
export function runBidirectional(model: { readonly layers: readonly BidirectionalLayer[]; readonly merge: BidirectionalMerge }, xs: readonly tf.Tensor2D[], options: BidirectionalRunOptions = {}): BidirectionalRun {
  const ctx = options.ctx ?? {};
  const T = xs.length;
  if (T === 0) return { ys: [], states: options.states ? [] : undefined };
  return tf.tidy(() => {
    const B = xs[0].shape[0];
    const states: Record<string, tf.Tensor>[] | undefined = options.states ? xs.map(() => ({})) : undefined;
    let seq: tf.Tensor2D[] = xs.slice();
    model.layers.forEach((layer, l) => {
      const run = (cell: Cell, dir: 'forward' | 'backward'): tf.Tensor2D[] => {
        const ys: tf.Tensor2D[] = new Array(T);
        let s = cell.initialState(B);
        for (let k = 0; k < T; k++) {
          const t = dir === 'forward' ? k : T - 1 - k;
          const [y, next] = cell.step(s, seq[t], ctx); // y: [B, Y_dir]
          ys[t] = y;
          s = next;
          if (states) for (const [name, v] of Object.entries(next)) states[t][`${l}.${dir}.${name}`] = tf.clone(v);
        }
        return ys;
      };
      const fs = run(layer.forward, 'forward');
      const bs = run(layer.backward, 'backward');
      const last = l === model.layers.length - 1;
      seq = fs.map((f, t) => mergeDirections(last ? model.merge : 'concat', f, bs[t]));
    });
    return { ys: seq, ...(states ? { states } : {}) } as unknown as tf.TensorContainer;
  }) as unknown as BidirectionalRun;
}
