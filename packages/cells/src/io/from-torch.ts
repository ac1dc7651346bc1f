/**
 * `fromTorch(bytes, { mode })`: a trained PyTorch `nn.RNN` / `nn.LSTM` / `nn.GRU` as an rxrnn cell.
 *
 * `source` is the state_dict as the bytes of a safetensors file (see docs/interop.md for a
 * ten-line exporter without the safetensors package) or as a name → tensor / `{ shape, data }`
 * map. Names are PyTorch's: `weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}`,
 * `weight_hr_l{k}` (proj_size), `_reverse` for the backward direction; a `bias=False` module has no
 * bias tensors (zeros are used). Sizes come from the weights (`inputSize`/`hiddenSize`/`projSize`,
 * when given, are checked against them). The mapping to our layout is in `torch-weights.ts`.
 *
 * Returns
 * - one layer: an `rnnCell` (RNN_TANH / RNN_RELU), `lstmCell` or `gruCell` (reset-after, PyTorch's form);
 * - `numLayers > 1`: a `stackCells` of them (state `0.h`, `0.c`, `1.h`…; params `layers.0.kernel`…);
 * - `bidirectional: true`: a {@link BidirectionalModel} for the `bidirectional()` operator. It is
 *   not a step-wise Cell — the backward direction needs the whole sequence — so it runs on finite
 *   streams and emits when the source completes.
 *
 * Shape contract: like `nn.*(batch_first=False)` fed one time step at a time — in `[B, X]` per
 * value, out `[B, H]` (`[B, P]` with proj_size; `[B, 2H]` bidirectional) per step; PyTorch's
 * h_n/c_n are the final state (`recurrent(cell, { emit: 'step', state: true })` or a snapshot).
 * Inter-layer `dropout` is a training-time option of PyTorch and is not applied (inference).
 *
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { from } from 'rxjs';
 * import { recurrent, readRows } from '@rxrnn/core';
 * import { fromTorch } from '@rxrnn/cells';
 *
 * const cell = fromTorch(new Uint8Array(readFileSync('lstm.safetensors')), { mode: 'LSTM', numLayers: 2 });
 * from([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
 *   .pipe(recurrent(cell), readRows())
 *   .subscribe((y) => console.log(y[0])); // PyTorch's output[t][0], step by step
 * ```
 *
 * Errors (RxrnnError; nothing is allocated when one is thrown): `E_UNKNOWN` for an unknown mode,
 * `E_MISSING_WEIGHT` naming the missing tensor, `E_SHAPE` for a tensor of the wrong shape,
 * `E_SIZE` when a size option contradicts the weights, `E_ARGUMENT` for tensors of layers or
 * directions the options do not describe.
 */
import { type Cell } from '@rxrnn/core';
import { rnnCell } from '../rnn/rnn-cell.js';
import { lstmCell } from '../lstm/lstm-cell.js';
import { gruCell } from '../gru/gru-cell.js';
import { stackCells } from '../stack/stack-cell.js';
import { bidirectionalModel, type BidirectionalModel } from '../bidirectional/bidirectional-model.js';
import { readNamedWeights, type NamedWeightsSource } from './named-tensors.js';
import { planTorch, type TorchCellPlan, type TorchLayoutOptions, type TorchMode } from './torch-weights.js';

export type { TorchMode };

export interface FromTorchOptions extends TorchLayoutOptions {
  /** `'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU'` (PyTorch's `mode` names). */
  mode: TorchMode;
  /** `num_layers`. Default 1. */
  numLayers?: number;
  /** `bidirectional`. Default false. With true, the result is a {@link BidirectionalModel}. */
  bidirectional?: boolean;
  /** `proj_size` (LSTM). Default: inferred from `weight_hr_l0` (0 when absent). */
  projSize?: number;
}

/** Build one of our cells from a planned PyTorch layer/direction. */
function buildCell(p: TorchCellPlan): Cell {
  if (p.kind === 'lstm') return lstmCell({ inputSize: p.inputSize, hiddenSize: p.hiddenSize, projSize: p.projSize, weights: p.weights }) as unknown as Cell;
  if (p.kind === 'gru') return gruCell({ inputSize: p.inputSize, hiddenSize: p.hiddenSize, resetAfter: true, weights: p.weights }) as unknown as Cell;
  return rnnCell({ inputSize: p.inputSize, hiddenSize: p.hiddenSize, activation: p.activation, weights: p.weights }) as unknown as Cell;
}

export function fromTorch(source: NamedWeightsSource, options: FromTorchOptions & { bidirectional: true }): BidirectionalModel;
export function fromTorch(source: NamedWeightsSource, options: FromTorchOptions & { bidirectional?: false }): Cell;
export function fromTorch(source: NamedWeightsSource, options: FromTorchOptions): Cell | BidirectionalModel;
export function fromTorch(source: NamedWeightsSource, options: FromTorchOptions): Cell | BidirectionalModel {
  const fn = 'fromTorch';
  const tensors = readNamedWeights(fn, source);
  const plan = planTorch(fn, tensors, options); // throws before anything is allocated
  const built: Cell[] = [];
  try {
    const layers = plan.layers.map((row) =>
      row.map((p) => {
        const c = buildCell(p);
        built.push(c);
        return c;
      }),
    );
    if (plan.layout.bidirectional) return bidirectionalModel(layers.map(([forward, backward]) => ({ forward, backward })), { merge: 'concat' });
    const cells = layers.map(([c]) => c);
    return cells.length === 1 ? cells[0] : stackCells(cells);
  } catch (e) {
    for (const c of built) c.dispose();
    throw e;
  }
}
