/**
 * `attentionDecoder(cell, attention)`: one step of an attentional decoder on any rxrnn cell, with
 * Luong, Pham & Manning 2015's input feeding (§3.3) and attentional hidden state (eq. 5):
 *
 *   x'_t  = [x_t; h̃_{t−1}]                    input feeding        [B, X + H̃]
 *   h_t   = cell(x'_t, state_{t−1})            the cell's own step  [B, H]
 *   c_t, α_t = attend(h_t, memory, mask, α_{t−1}, coverage_t)       [B, D], [B, S]
 *   h̃_t   = tanh(W_c [c_t; h_t])               attentional state    [B, H̃]
 *   coverage_{t+1} = coverage_t + α_t
 *
 * The step is pure (run it inside `tf.tidy`, as `recurrent` and the trainer do); it takes the previous
 * alignment and the coverage from its state, so every mechanism (location-aware, coverage) works.
 * Parameter: `output_kernel` [D + H, H̃] = W_c^T (OpenNMT's `linear_out` of its global attention).
 */
import * as tf from '@tensorflow/tfjs';
import { checkSize, createRng, glorotUniform, rxrnnError, ErrorCodes, describe, type Cell, type State, type StepContext } from '@rxrnn/core';
import { param, checkWeightNames, type WeightsInput } from '@rxrnn/cells';
import type { Attention, Memory } from './types.js';

/** The decoder's state: the cell's state, h̃_{t−1}, α_{t−1} and the coverage Σ_{k<t} α_k (a type, so tf.tidy can return it). */
export type DecoderState<S extends State = State> = {
  cell: S;
  /** h̃_{t−1} [B, H̃] (zeros at the first step). */
  attentional: tf.Tensor2D;
  /** α_{t−1} [B, S] (uniform over the real positions at the first step, or the mechanism's `initialAlignment`); MoChA's monotonic α, not β. */
  alignment: tf.Tensor2D;
  /** Σ_{k<t} α_k [B, S] (zeros at the first step). */
  coverage: tf.Tensor2D;
};

/** What one decoder step returns. */
export interface DecoderStepResult<S extends State = State> {
  /** h̃_t [B, H̃]: feed it to the output layer (softmax over the vocabulary). */
  output: tf.Tensor2D;
  state: DecoderState<S>;
  /** c_t [B, D]. */
  context: tf.Tensor2D;
  /** α_t [B, S]. */
  alignment: tf.Tensor2D;
}

export interface AttentionDecoderOptions {
  /** Size X of the decoder's own input (e.g. the target embedding). The cell's inputSize must be X + attentionalSize. */
  inputSize: number;
  /** Size H̃ of the attentional state. Default: the cell's outputSize. */
  attentionalSize?: number;
  seed?: number;
  weights?: WeightsInput;
}

export interface AttentionDecoder<S extends State = State> {
  readonly cell: Cell<S>;
  readonly attention: Attention;
  readonly inputSize: number;
  readonly attentionalSize: number;
  readonly params: { output_kernel: tf.Variable };
  /** The first step's state for a batch of B over S source positions (mask: [B, S], optional). */
  initialState(batch: number, sourceLength: number, mask?: tf.Tensor2D): DecoderState<S>;
  /** One step: x [B, X] → h̃_t and the next state. Pure; run inside `tf.tidy`. */
  step(state: DecoderState<S>, x: tf.Tensor2D, memory: Memory, mask?: tf.Tensor2D, ctx?: StepContext): DecoderStepResult<S>;
  /** Dispose the output kernel (the cell and the attention stay the caller's). */
  dispose(): void;
}

/** The pure step: see the module's equations. */
export function attentionDecoderStep<S extends State>(
  cell: Cell<S>,
  attention: Attention,
  outputKernel: tf.Tensor2D,
  state: DecoderState<S>,
  x: tf.Tensor2D,
  memory: Memory,
  mask?: tf.Tensor2D,
  ctx?: StepContext,
): DecoderStepResult<S> {
  const fed = tf.concat([x, state.attentional], 1) as tf.Tensor2D; // x'_t [B, X + H̃]
  const [h, cellState] = cell.step(state.cell, fed, ctx); // h_t [B, H]
  const { context, alignment, selection } = attention.attend(h, memory, { mask, prevAlignment: state.alignment, coverage: state.coverage, training: ctx?.training, rng: ctx?.rng }); // [B, D], [B, S]
  const output = tf.concat([context, h], 1).matMul(outputKernel).tanh() as tf.Tensor2D; // h̃_t = tanh(W_c [c_t; h_t]) [B, H̃]
  const coverage = state.coverage.add(alignment) as tf.Tensor2D; // [B, S]
  // Monotonic attention and MoChA carry their selection α_i (MoChA's differs from the chunkwise β_i it attends with).
  return { output, state: { cell: cellState, attentional: output, alignment: selection ?? alignment, coverage }, context, alignment };
}

/**
 * The state for a source that has grown to `sourceLength` positions (frames arriving while decoding, as
 * with monotonic attention or MoChA): α_{t−1} and the coverage padded with zeros on the right. New tensors
 * for those two; the cell's state and h̃ are shared with `state` (dispose only the two old ones).
 */
export function extendDecoderState<S extends State>(state: DecoderState<S>, sourceLength: number): DecoderState<S> {
  const S0 = state.alignment.shape[1];
  if (!Number.isInteger(sourceLength) || sourceLength < S0) throw rxrnnError(ErrorCodes.SIZE, 'extendDecoderState', 'sourceLength', `an integer ≥ ${S0} (the current source length)`, describe(sourceLength));
  const grow = (t: tf.Tensor2D) => t.pad([[0, 0], [0, sourceLength - S0]]) as tf.Tensor2D; // [B, S0] → [B, S]
  return { ...state, alignment: grow(state.alignment), coverage: grow(state.coverage) };
}

/** Build an attentional decoder from a cell and an attention mechanism (see the module doc). */
export function attentionDecoder<S extends State>(cell: Cell<S>, attention: Attention, options: AttentionDecoderOptions): AttentionDecoder<S> {
  const fn = 'attentionDecoder';
  const X = options?.inputSize;
  checkSize(fn, 'options.inputSize', X);
  const Ha = options.attentionalSize ?? cell.outputSize;
  checkSize(fn, 'options.attentionalSize', Ha);
  if (cell.inputSize !== X + Ha) {
    throw rxrnnError(ErrorCodes.SIZE, fn, 'cell.inputSize', `${X + Ha} (= inputSize + attentionalSize: Luong's input feeding)`, `${cell.inputSize}`);
  }
  if (attention.querySize !== cell.outputSize) {
    throw rxrnnError(ErrorCodes.SIZE, fn, 'attention.querySize', `${cell.outputSize} (= cell.outputSize: the query is h_t)`, `${attention.querySize}`);
  }
  checkWeightNames(fn, options.weights, ['output_kernel']);
  const D = attention.keySize;
  const H = cell.outputSize;
  const rng = createRng(options.seed ?? 0);
  const init = param(fn, options.weights, 'output_kernel', [D + H, Ha], () => glorotUniform(rng, D + H, Ha));
  const outputKernel = tf.tidy(() => tf.variable(init instanceof tf.Tensor ? init.clone() : tf.tensor(init.data, init.shape), true));
  return {
    cell,
    attention,
    inputSize: X,
    attentionalSize: Ha,
    params: { output_kernel: outputKernel },
    initialState: (batch, sourceLength, mask) =>
      tf.tidy(() => {
        const uniform =
          attention.initialAlignment?.(batch, sourceLength, mask) ?? // the mechanism's own α_0 (monotonic: the first position)
          (mask
            ? mask.toFloat().div(mask.toFloat().sum(-1, true).maximum(1)) // 1/len over the real positions
            : tf.fill([batch, sourceLength], 1 / sourceLength));
        return { cell: cell.initialState(batch), attentional: tf.zeros([batch, Ha]), alignment: uniform, coverage: tf.zeros([batch, sourceLength]) } as DecoderState<S>;
      }),
    step: (state, x, memory, mask, ctx) => {
      if (!(x instanceof tf.Tensor) || x.rank !== 2 || x.shape[1] !== X) throw rxrnnError(ErrorCodes.SHAPE, 'attentionDecoder.step', 'x', `shape [B, ${X}]`, describe(x));
      return attentionDecoderStep(cell, attention, outputKernel as tf.Tensor2D, state, x, memory, mask, ctx);
    },
    dispose: () => outputKernel.dispose(),
  };
}

/** Gather rows of every tensor of a decoder state: [K, ·] → [rows.length, ·]. */
export function selectDecoderState<S extends State>(state: DecoderState<S>, rows: Int32Array): DecoderState<S> {
  return tf.tidy(() => {
    const idx = tf.tensor1d(rows, 'int32');
    const cell: Record<string, tf.Tensor> = {};
    for (const [k, t] of Object.entries(state.cell)) cell[k] = tf.gather(t, idx);
    return { cell, attentional: tf.gather(state.attentional, idx), alignment: tf.gather(state.alignment, idx), coverage: tf.gather(state.coverage, idx) } as DecoderState<S>;
  });
}

/** Free a decoder state's tensors. */
export function disposeDecoderState(state: DecoderState): void {
  tf.dispose([...Object.values(state.cell), state.attentional, state.alignment, state.coverage]);
}
