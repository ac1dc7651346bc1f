/**
 * `layerNormLstm(cell)`: stream a layer-normalised LSTM (Ba, Kiros & Hinton 2016; a cell from
 * `layerNormLstmCell`), one step per value.
 *
 * Shape contract: in `[X]` or `[B, X]` per value; out `h_t` as a `[B, H]` tensor. With
 * `{ emit: 'step', extras: true }` each step also carries the gate activations `i, f, g, o` and
 * the cell `c` ([B, H] each).
 *
 * ```ts
 * import { from } from 'rxjs';
 * import { readRows } from '@rxrnn/core';
 * import { layerNormLstmCell, layerNormLstm } from '@rxrnn/cells';
 *
 * const cell = layerNormLstmCell({ inputSize: 2, hiddenSize: 4, seed: 1 });
 * from([[1, 0], [0, 1], [1, 1]]).pipe(layerNormLstm(cell), readRows()).subscribe((y) => console.log(y[0]));
 * ```
 */
import { namedOperator } from '@rxrnn/core';
import type { LayerNormLstmState } from './layernorm-lstm-step.js';

export const layerNormLstm = namedOperator<LayerNormLstmState>('layerNormLstm', ['layernorm-lstm']);
